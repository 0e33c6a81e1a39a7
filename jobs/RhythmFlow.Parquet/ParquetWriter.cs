using System.Buffers.Binary;
using RhythmFlow.Parquet.Encodings;
using RhythmFlow.Parquet.Format;
using RhythmFlow.Parquet.Thrift;
using RhythmFlow.Parquet.Writing;

namespace RhythmFlow.Parquet;

/// <summary>
/// Writes a flat Parquet file to any stream in one pass. Append one value per column (typed column writers,
/// no boxing), call <see cref="EndRow"/>, and dispose to write the footer. Memory stays bounded by one row group.
/// </summary>
public sealed class ParquetWriter : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private readonly Stream output;
    private readonly bool ownsStream;
    private readonly ParquetWriterOptions options;
    private readonly ParquetColumnWriter[] columns;
    private readonly List<ParquetRowGroupMetadata> rowGroups = [];
    private readonly CompactWriter thrift = new();
    private readonly ByteBuffer body = new();
    private readonly MemoryStream gzipScratch = new();
    private readonly bool[] tryDictionary;

    // Scratch of one row group's encoding, pooled and returned once the row group is written.
    private byte[] compressed = [];
    private int[] indices = [];
    private int[] levels = [];
    private long position;
    private long totalRows;
    private bool closed;
    private bool faulted;

    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        this.output = output;
        this.ownsStream = ownsStream;
        this.options = options ?? new ParquetWriterOptions();
        if (!PageCompression.IsSupported(this.options.Compression))
        {
            throw new ArgumentException($"Codec {this.options.Compression} is not supported; use Snappy, Gzip or Uncompressed.", nameof(options));
        }

        Schema = schema;
        columns = [.. schema.Columns.Select(CreateColumnWriter)];
        foreach (var name in this.options.DisableDictionaryFor)
        {
            if (schema.IndexOf(name) < 0)
            {
                throw new ArgumentException($"DisableDictionaryFor names column '{name}', which the schema does not have.", nameof(options));
            }
        }

        tryDictionary = [.. columns.Select(c => this.options.EnableDictionary && c.SupportsDictionary && !this.options.DisableDictionaryFor.Contains(c.Column.Name))];
        output.Write(Magic);
        position = Magic.Length;
    }

    public ParquetSchema Schema { get; }

    /// <summary>Rows of the current, not yet written row group.</summary>
    public int BufferedRows { get; private set; }

    public long RowsWritten => totalRows + BufferedRows;

    /// <summary>Adds or replaces a file-level key/value entry (written in the footer).</summary>
    public void SetMetadata(string key, string value) => options.KeyValueMetadata[key] = value;

    public ParquetColumnWriter Column(int index) => columns[index];

    public FixedColumnWriter<int> Int32Column(int index) => Typed<FixedColumnWriter<int>>(index);

    public FixedColumnWriter<long> Int64Column(int index) => Typed<FixedColumnWriter<long>>(index);

    public FixedColumnWriter<float> FloatColumn(int index) => Typed<FixedColumnWriter<float>>(index);

    public FixedColumnWriter<double> DoubleColumn(int index) => Typed<FixedColumnWriter<double>>(index);

    public BooleanColumnWriter BooleanColumn(int index) => Typed<BooleanColumnWriter>(index);

    public ByteArrayColumnWriter ByteArrayColumn(int index) => Typed<ByteArrayColumnWriter>(index);

    /// <summary>Completes a row (every column must have one more value); closes the row group when it is full.</summary>
    public void EndRow()
    {
        BufferedRows++;
        if ((options.MaxRowsPerRowGroup > 0 && BufferedRows >= options.MaxRowsPerRowGroup) ||
            ((BufferedRows & 1023) == 0 && BufferedBytes() >= options.RowGroupSizeBytes))
        {
            FlushRowGroup();
        }
    }

    /// <summary>Undoes the values appended since the last <see cref="EndRow"/> (e.g. for an event that turned out invalid).</summary>
    public void CancelRow()
    {
        foreach (var column in columns)
        {
            if (column.Count > BufferedRows)
            {
                column.TruncateTo(BufferedRows);
            }
        }
    }

    /// <summary>
    /// The simple row API for tools and tests: one value per column (null, or a value of the column's type:
    /// int/long/float/double/bool, string or byte[], DateTime/DateTimeOffset for timestamps, DateOnly for dates).
    /// Boxes; hot paths use the typed column writers.
    /// </summary>
    public void WriteRow(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != columns.Length)
        {
            throw new ArgumentException($"Row has {values.Length} values but the schema has {columns.Length} columns.", nameof(values));
        }

        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                RowValues.Append(columns[i], values[i]);
            }
        }
        catch
        {
            CancelRow();
            throw;
        }

        EndRow();
    }

    /// <summary>Writes the buffered rows as a row group now.</summary>
    public void FlushRowGroup()
    {
        ObjectDisposedException.ThrowIf(closed, this);
        if (BufferedRows == 0)
        {
            return;
        }

        foreach (var column in columns)
        {
            if (column.Count != BufferedRows)
            {
                throw new InvalidOperationException(
                    $"Column '{column.Column.Name}' has {column.Count} values but the row group has {BufferedRows} rows; append one value per column per row.");
            }
        }

        var chunks = new List<ParquetColumnChunkMetadata>(columns.Length);
        long totalUncompressed = 0, totalCompressed = 0;
        try
        {
            for (var c = 0; c < columns.Length; c++)
            {
                var chunk = WriteChunk(columns[c], tryDictionary[c]);
                totalUncompressed += chunk.TotalUncompressedSize;
                totalCompressed += chunk.TotalCompressedSize;
                chunks.Add(chunk);
                columns[c].Reset();
            }
        }
        catch
        {
            // The output now holds part of a row group; a footer written after it would describe a lie.
            faulted = true;
            throw;
        }
        finally
        {
            body.Release();
            Pooled.Return(ref compressed);
            Pooled.Return(ref indices);
            Pooled.Return(ref levels);
        }

        rowGroups.Add(new ParquetRowGroupMetadata
        {
            Columns = chunks,
            NumRows = BufferedRows,
            TotalByteSize = totalUncompressed,
            TotalCompressedSize = totalCompressed,
        });
        totalRows += BufferedRows;
        BufferedRows = 0;
    }

    public void Dispose()
    {
        if (closed)
        {
            return;
        }

        if (faulted)
        {
            closed = true;
            if (ownsStream)
            {
                output.Dispose();
            }

            return;
        }

        FlushRowGroup();
        var metadata = new ParquetFileMetadata
        {
            Schema = Schema,
            NumRows = totalRows,
            RowGroups = rowGroups,
            KeyValueMetadata = [.. options.KeyValueMetadata.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value))],
            CreatedBy = options.CreatedBy,
        };
        thrift.Reset();
        MetadataCodec.WriteFileMetadata(thrift, metadata);
        output.Write(thrift.Written);
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tail, thrift.Length);
        Magic.CopyTo(tail[4..]);
        output.Write(tail);
        output.Flush();
        closed = true;
        foreach (var column in columns)
        {
            column.Release();
        }

        if (ownsStream)
        {
            output.Dispose();
        }
    }

    private long BufferedBytes()
    {
        long total = 0;
        foreach (var column in columns)
        {
            total += column.BufferedBytes;
        }

        return total;
    }

    private T Typed<T>(int index)
        where T : ParquetColumnWriter =>
        columns[index] as T ?? throw new InvalidOperationException(
            $"Column '{columns[index].Column.Name}' is {columns[index].Column.PhysicalType}; it has no {typeof(T).Name}.");

    private static ParquetColumnWriter CreateColumnWriter(ParquetColumn column) => column.PhysicalType switch
    {
        ParquetPhysicalType.Boolean => new BooleanColumnWriter(column),
        ParquetPhysicalType.Int32 => new FixedColumnWriter<int>(column),
        ParquetPhysicalType.Int64 => new FixedColumnWriter<long>(column),
        ParquetPhysicalType.Float => new FixedColumnWriter<float>(column),
        ParquetPhysicalType.Double => new FixedColumnWriter<double>(column),
        ParquetPhysicalType.ByteArray => new ByteArrayColumnWriter(column),
        _ => throw new NotSupportedException($"Column '{column.Name}': the writer does not support {column.PhysicalType}."),
    };

    private ParquetColumnChunkMetadata WriteChunk(ParquetColumnWriter column, bool tryDictionary)
    {
        var rows = column.Count;
        var values = column.ValueCount;
        var chunkStart = position;
        long uncompressed = 0;
        long? dictionaryOffset = null;

        var bitWidth = -1;
        if (tryDictionary && values > 0)
        {
            Pooled.EnsureSize(ref indices, values);
            if (column.TryBuildDictionary(options.DictionaryPageSizeLimit, indices, out var entries, out var dictionaryBytes))
            {
                var width = RleHybridEncoder.BitWidthOf(entries - 1);
                var dictionaryTotal = dictionaryBytes + ((long)values * width / 8);
                if (dictionaryTotal < column.PlainBytes(0, values))
                {
                    bitWidth = width;
                    body.Clear();
                    column.WriteDictionary(body);
                    dictionaryOffset = position;
                    uncompressed += WritePage(PageType.DictionaryPage, body.Written, entries);
                }
            }
        }

        var dataPageOffset = position;
        var bytesPerValue = bitWidth >= 0 ? Math.Max(bitWidth, 1) / 8.0 : column.PlainBytes(0, values) / (double)Math.Max(values, 1);
        var rowsPerPage = (int)Math.Clamp(options.PageSizeBytes / Math.Max(bytesPerValue, 0.125), 1, Math.Max(rows, 1));
        var definitions = column.Definitions;
        var valueStart = 0;
        for (var rowStart = 0; rowStart < rows || rowStart == 0; rowStart += rowsPerPage)
        {
            var rowEnd = Math.Min(rows, rowStart + rowsPerPage);
            body.Clear();
            var pageValues = rowEnd - rowStart;
            if (column.Column.IsOptional)
            {
                pageValues = WriteDefinitionLevels(definitions[rowStart..rowEnd]);
            }

            var valueEnd = valueStart + pageValues;
            if (bitWidth >= 0)
            {
                body.WriteByte((byte)bitWidth);
                var span = body.GetSpan(RleHybridEncoder.MaxEncodedSize(pageValues, bitWidth));
                body.Advance(RleHybridEncoder.Encode(indices.AsSpan(valueStart, pageValues), bitWidth, span));
            }
            else
            {
                column.WritePlain(valueStart, valueEnd, body);
            }

            valueStart = valueEnd;
            uncompressed += WritePage(PageType.DataPage, body.Written, rowEnd - rowStart, bitWidth >= 0 ? ParquetEncoding.RleDictionary : ParquetEncoding.Plain);
            if (rows == 0)
            {
                break;
            }
        }

        var minMax = column.MinMax();
        List<ParquetEncoding> encodings = bitWidth >= 0 ? [ParquetEncoding.Plain, ParquetEncoding.RleDictionary] : [ParquetEncoding.Plain];
        if (column.Column.IsOptional)
        {
            encodings.Add(ParquetEncoding.Rle);
        }

        return new ParquetColumnChunkMetadata
        {
            Column = column.Column,
            Encodings = encodings,
            Codec = options.Compression,
            NumValues = rows,
            TotalUncompressedSize = uncompressed,
            TotalCompressedSize = position - chunkStart,
            DataPageOffset = dataPageOffset,
            DictionaryPageOffset = dictionaryOffset,
            Statistics = new ParquetStatistics
            {
                NullCount = column.NullCount,
                MinValue = minMax?.Min,
                MaxValue = minMax?.Max,
            },
        };
    }

    /// <summary>Writes the page's definition levels (v1: 4-byte length prefix); returns the non-null values in the page.</summary>
    private int WriteDefinitionLevels(ReadOnlySpan<byte> definitions)
    {
        Pooled.EnsureSize(ref levels, definitions.Length);

        var defined = 0;
        for (var i = 0; i < definitions.Length; i++)
        {
            levels[i] = definitions[i];
            defined += definitions[i];
        }

        var lengthAt = body.Length;
        body.GetSpan(4);
        body.Advance(4);
        var span = body.GetSpan(RleHybridEncoder.MaxEncodedSize(definitions.Length, 1));
        var written = RleHybridEncoder.Encode(levels.AsSpan(0, definitions.Length), 1, span);
        body.Advance(written);
        BinaryPrimitives.WriteInt32LittleEndian(body.WrittenSpan(lengthAt, 4), written);
        return defined;
    }

    /// <summary>Compresses and writes one page with its header; returns its uncompressed size including the header.</summary>
    private long WritePage(PageType type, ReadOnlySpan<byte> pageBody, int numValues, ParquetEncoding encoding = ParquetEncoding.Plain)
    {
        var stored = PageCompression.Compress(options.Compression, pageBody, ref compressed, gzipScratch);
        int? crc = options.WritePageChecksums ? (int)Crc32.Compute(stored) : null;
        thrift.Reset();
        if (type == PageType.DictionaryPage)
        {
            MetadataCodec.WriteDictionaryPageHeader(thrift, pageBody.Length, stored.Length, crc, numValues);
        }
        else
        {
            MetadataCodec.WriteDataPageHeader(thrift, pageBody.Length, stored.Length, crc, numValues, encoding);
        }

        output.Write(thrift.Written);
        output.Write(stored);
        position += thrift.Length + stored.Length;
        return thrift.Length + pageBody.Length;
    }
}
