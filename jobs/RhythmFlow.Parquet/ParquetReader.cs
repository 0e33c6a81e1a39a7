using System.Buffers.Binary;
using RhythmFlow.Parquet.Format;
using RhythmFlow.Parquet.Reading;
using RhythmFlow.Parquet.Thrift;

namespace RhythmFlow.Parquet;

/// <summary>
/// Reads flat Parquet files from a seekable stream: the footer first, then row groups one at a time, only the
/// columns asked for. Corrupt input fails with a <see cref="ParquetFormatException"/> naming where it is.
/// </summary>
public sealed class ParquetReader : IDisposable
{
    private const int TailLength = 8;
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private readonly Stream stream;
    private readonly bool ownsStream;
    private readonly long dataEnd;

    public ParquetReader(Stream stream, string? name = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The Parquet reader needs a seekable stream (it reads the footer first).", nameof(stream));
        }

        this.stream = stream;
        this.ownsStream = ownsStream;
        Name = name ?? (stream as FileStream)?.Name ?? "<stream>";
        try
        {
            (Metadata, dataEnd) = ReadFooter();
        }
        catch (ParquetFormatException ex)
        {
            throw ex.WithContext(Name, null, null);
        }
    }

    /// <summary>The file name used in error messages.</summary>
    public string Name { get; }

    public ParquetFileMetadata Metadata { get; }

    public ParquetSchema Schema => Metadata.Schema;

    public int RowGroupCount => Metadata.RowGroups.Count;

    public static ParquetReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess), path, ownsStream: true);

    /// <summary>Decodes the requested columns (all when null) of one row group.</summary>
    public ParquetRowGroup ReadRowGroup(int index, IReadOnlyList<string>? columns = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        var rowGroup = Metadata.RowGroups[index];
        var selected = columns is null
            ? Enumerable.Range(0, Schema.Columns.Count).ToList()
            : columns.Select(Schema.RequireIndex).ToList();
        if (rowGroup.NumRows > Array.MaxLength)
        {
            throw new ParquetFormatException($"row group claims {rowGroup.NumRows} rows", Name, index);
        }

        var data = new List<ParquetColumnData>(selected.Count);
        foreach (var columnIndex in selected)
        {
            data.Add(ReadChunk(index, rowGroup, rowGroup.Columns[columnIndex]));
        }

        return new ParquetRowGroup(index, (int)rowGroup.NumRows, data);
    }

    /// <summary>Streams every row group in turn, holding one decoded row group at a time.</summary>
    public IEnumerable<ParquetRowGroup> ReadRowGroups(IReadOnlyList<string>? columns = null)
    {
        for (var i = 0; i < RowGroupCount; i++)
        {
            yield return ReadRowGroup(i, columns);
        }
    }

    /// <summary>The simple row API for tools and tests: one boxed value per selected column (see <see cref="ParquetColumnData.GetValue"/>).</summary>
    public IEnumerable<object?[]> ReadRows(IReadOnlyList<string>? columns = null)
    {
        foreach (var rowGroup in ReadRowGroups(columns))
        {
            for (var r = 0; r < rowGroup.RowCount; r++)
            {
                var row = new object?[rowGroup.Columns.Count];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = rowGroup.Columns[c].GetValue(r);
                }

                yield return row;
            }
        }
    }

    public void Dispose()
    {
        if (ownsStream)
        {
            stream.Dispose();
        }
    }

    private ParquetColumnData ReadChunk(int rowGroupIndex, ParquetRowGroupMetadata rowGroup, ParquetColumnChunkMetadata chunk)
    {
        var name = chunk.Column.Name;
        var start = chunk.StartOffset;
        var length = chunk.TotalCompressedSize;
        if (start < Magic.Length || length < 0 || length > dataEnd - start || length > Array.MaxLength)
        {
            throw new ParquetFormatException(
                $"column chunk range {start}..{start + length} lies outside the data area 4..{dataEnd} (truncated file or corrupt footer)",
                Name, rowGroupIndex, name, start);
        }

        if (chunk.NumValues != rowGroup.NumRows)
        {
            throw new ParquetFormatException(
                $"column chunk has {chunk.NumValues} values but the row group has {rowGroup.NumRows} rows", Name, rowGroupIndex, name, start);
        }

        try
        {
            var bytes = new byte[length];
            stream.Position = start;
            stream.ReadExactly(bytes);
            return new ColumnChunkReader(chunk.Column, chunk.Codec, bytes, start, (int)rowGroup.NumRows).Read();
        }
        catch (ParquetFormatException ex)
        {
            throw ex.WithContext(Name, rowGroupIndex, name, start);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentException or OverflowException or InvalidCastException or EndOfStreamException)
        {
            // A check missed by the decoders still must not surface as anything but a format error.
            throw new ParquetFormatException($"corrupt column chunk: {ex.Message}", Name, rowGroupIndex, name, start, ex);
        }
    }

    private (ParquetFileMetadata Metadata, long DataEnd) ReadFooter()
    {
        var length = stream.Length;
        if (length < Magic.Length + TailLength)
        {
            throw new ParquetFormatException($"file is {length} bytes, too short to be Parquet (truncated?)", offset: 0);
        }

        Span<byte> head = stackalloc byte[4];
        stream.Position = 0;
        stream.ReadExactly(head);
        if (!head.SequenceEqual(Magic))
        {
            throw new ParquetFormatException("bad magic bytes at the start: this is not a Parquet file", offset: 0);
        }

        Span<byte> tail = stackalloc byte[TailLength];
        stream.Position = length - TailLength;
        stream.ReadExactly(tail);
        if (tail[4..].SequenceEqual("PARE"u8))
        {
            throw new ParquetFormatException("the footer is encrypted (PARE); encrypted files are not supported", offset: length - 4);
        }

        if (!tail[4..].SequenceEqual(Magic))
        {
            throw new ParquetFormatException("bad magic bytes at the end: the file is truncated or not Parquet", offset: length - 4);
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        var footerStart = length - TailLength - footerLength;
        if (footerLength <= 0 || footerStart < Magic.Length)
        {
            throw new ParquetFormatException(
                $"footer length {footerLength} is out of range for a {length}-byte file (truncated or corrupt)", offset: length - TailLength);
        }

        var footer = new byte[footerLength];
        stream.Position = footerStart;
        stream.ReadExactly(footer);
        Span<short> idStack = stackalloc short[64];
        var reader = new CompactReader(footer, footerStart, idStack);
        return (MetadataCodec.ReadFileMetadata(ref reader), footerStart);
    }
}
