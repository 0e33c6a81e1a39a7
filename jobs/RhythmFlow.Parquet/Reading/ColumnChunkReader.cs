using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RhythmFlow.Parquet.Encodings;
using RhythmFlow.Parquet.Format;
using RhythmFlow.Parquet.Thrift;

namespace RhythmFlow.Parquet.Reading;

/// <summary>
/// Decodes one column chunk: pages (dictionary, data v1 and v2), levels and values. Every size is checked
/// before it is used, and the chunk must produce exactly the row group's row count.
/// </summary>
internal sealed class ColumnChunkReader
{
    /// <summary>No page of a sane file is this big; a larger header size is corruption, not a reason to allocate.</summary>
    public const int MaxPageSize = 512 * 1024 * 1024;

    private readonly ParquetColumn column;
    private readonly ParquetCompression codec;
    private readonly byte[] chunk;
    private readonly long chunkOffset;
    private readonly int rows;
    private readonly bool[]? nulls;
    private readonly Array? values;
    private readonly int[]? offsets;
    private byte[] bytes = [];
    private int bytesLength;

    // The dictionary, when the chunk has one: fixed-size values, or byte arrays with offsets.
    private Array? dictionary;
    private byte[]? dictionaryBytes;
    private int[]? dictionaryOffsets;
    private int dictionaryCount = -1;

    // Byte-array rows held as dictionary indices (a null row indexes the empty entry past the dictionary's end) while
    // every data page so far was dictionary-encoded; a later page of another encoding turns them into bytes first.
    private int[]? rowIndices;

    private int[] scratchIndices = [];
    private int[] scratchLevels = [];
    private byte[] pageBuffer = [];

    public ColumnChunkReader(ParquetColumn column, ParquetCompression codec, byte[] chunk, long chunkOffset, int rows)
    {
        this.column = column;
        this.codec = codec;
        this.chunk = chunk;
        this.chunkOffset = chunkOffset;
        this.rows = rows;
        nulls = column.IsOptional ? new bool[rows] : null;
        values = column.PhysicalType switch
        {
            ParquetPhysicalType.Boolean => new bool[rows],
            ParquetPhysicalType.Int32 => new int[rows],
            ParquetPhysicalType.Int64 => new long[rows],
            ParquetPhysicalType.Float => new float[rows],
            ParquetPhysicalType.Double => new double[rows],
            _ => null,
        };
        if (values is null)
        {
            offsets = new int[rows + 1];
        }
    }

    private bool IsByteArray => values is null;

    private int FixedWidth => column.PhysicalType switch
    {
        ParquetPhysicalType.Int32 or ParquetPhysicalType.Float => 4,
        ParquetPhysicalType.Int64 or ParquetPhysicalType.Double => 8,
        ParquetPhysicalType.Int96 => 12,
        ParquetPhysicalType.FixedLenByteArray => column.TypeLength,
        _ => 0,
    };

    public ParquetColumnData Read()
    {
        if (column.PhysicalType == ParquetPhysicalType.FixedLenByteArray && column.TypeLength <= 0)
        {
            throw new ParquetFormatException($"FIXED_LEN_BYTE_ARRAY column has a bad type_length {column.TypeLength}");
        }

        var position = 0;
        var filled = 0;
        Span<short> idStack = stackalloc short[64];
        while (filled < rows)
        {
            if (position >= chunk.Length)
            {
                throw new ParquetFormatException($"column chunk ends after {filled} of {rows} rows (truncated chunk or wrong sizes)", offset: chunkOffset + position);
            }

            var pageOffset = chunkOffset + position;
            var reader = new CompactReader(chunk.AsSpan(position), pageOffset, idStack);
            var header = MetadataCodec.ReadPageHeader(ref reader);
            position += reader.Position;
            if (header.CompressedPageSize < 0 || header.CompressedPageSize > chunk.Length - position ||
                header.UncompressedPageSize < 0 || header.UncompressedPageSize > MaxPageSize)
            {
                throw new ParquetFormatException(
                    $"page size out of range (compressed {header.CompressedPageSize}, uncompressed {header.UncompressedPageSize}, {chunk.Length - position} bytes left in the chunk)",
                    offset: pageOffset);
            }

            var stored = chunk.AsSpan(position, header.CompressedPageSize);
            position += header.CompressedPageSize;
            if (header.Crc is { } crc && (int)Crc32.Compute(stored) != crc)
            {
                throw new ParquetFormatException("page checksum (CRC) mismatch: the page bytes are corrupt", offset: pageOffset);
            }

            try
            {
                switch (header.Type)
                {
                    case PageType.DictionaryPage:
                        ReadDictionaryPage(header, stored);
                        break;
                    case PageType.DataPage:
                        filled += ReadDataPageV1(header, stored, filled);
                        break;
                    case PageType.DataPageV2:
                        filled += ReadDataPageV2(header, stored, filled);
                        break;
                    default:
                        // Index pages carry nothing a reader needs.
                        break;
                }
            }
            catch (ParquetFormatException ex) when (ex.Offset is null)
            {
                throw ex.WithContext(null, null, null, pageOffset);
            }
        }

        return rowIndices is not null
            ? new ParquetColumnData(column, rows, nulls, null, dictionaryBytes, dictionaryOffsets, rowIndices, dictionaryCount)
            : new ParquetColumnData(column, rows, nulls, values, IsByteArray ? bytes : null, offsets);
    }

    private ReadOnlySpan<byte> Decompress(ReadOnlySpan<byte> stored, int uncompressedSize, bool compressed)
    {
        if (!compressed || codec == ParquetCompression.Uncompressed)
        {
            if (stored.Length != uncompressedSize)
            {
                throw new ParquetFormatException($"page holds {stored.Length} bytes but its header says {uncompressedSize} uncompressed");
            }

            return stored;
        }

        if (pageBuffer.Length < uncompressedSize)
        {
            pageBuffer = new byte[Math.Max(uncompressedSize, Math.Min(pageBuffer.Length * 2, MaxPageSize))];
        }

        var output = pageBuffer.AsSpan(0, uncompressedSize);
        PageCompression.Decompress(codec, stored, output);
        return output;
    }

    private void ReadDictionaryPage(PageHeader header, ReadOnlySpan<byte> stored)
    {
        if (dictionaryCount >= 0)
        {
            throw new ParquetFormatException("column chunk has a second dictionary page");
        }

        if (header.Encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
        {
            throw new ParquetFormatException($"dictionary page uses {header.Encoding}; only PLAIN dictionaries are defined");
        }

        var page = Decompress(stored, header.UncompressedPageSize, true);
        var count = header.NumValues;
        if (count < 0 || count > page.Length * 8L + 1)
        {
            throw new ParquetFormatException($"dictionary page claims {count} entries in {page.Length} bytes");
        }

        dictionaryCount = count;
        if (IsByteArray)
        {
            dictionaryBytes = new byte[page.Length];
            dictionaryOffsets = new int[count + 2];
            var consumed = DecodePlainByteArrays(page, count, dictionaryBytes, dictionaryOffsets);
            if (consumed > page.Length)
            {
                throw new ParquetFormatException("dictionary page ends early");
            }

            // The empty entry that null rows index.
            dictionaryOffsets[count + 1] = dictionaryOffsets[count];
        }
        else
        {
            dictionary = Array.CreateInstance(values!.GetType().GetElementType()!, count);
            DecodePlainFixed(page, dictionary, 0, count);
        }
    }

    private int ReadDataPageV1(PageHeader header, ReadOnlySpan<byte> stored, int firstRow)
    {
        var count = CheckPageRows(header);
        var page = Decompress(stored, header.UncompressedPageSize, true);
        var position = 0;
        var present = count;
        if (nulls is not null)
        {
            if (header.DefinitionLevelEncoding != ParquetEncoding.Rle)
            {
                throw new ParquetFormatException($"definition levels use {header.DefinitionLevelEncoding}; only RLE is supported");
            }

            if (page.Length < 4)
            {
                throw new ParquetFormatException("data page ends before its definition levels");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (length < 0 || length > page.Length - 4)
            {
                throw new ParquetFormatException($"definition levels length {length} is out of range for a {page.Length}-byte page");
            }

            present = DecodeLevels(page.Slice(4, length), firstRow, count);
            position = 4 + length;
        }

        DecodeValues(header.Encoding, page[position..], firstRow, count, present);
        return count;
    }

    private int ReadDataPageV2(PageHeader header, ReadOnlySpan<byte> stored, int firstRow)
    {
        var count = CheckPageRows(header);
        if (header.RepetitionLevelsByteLength != 0)
        {
            throw new ParquetFormatException("page has repetition levels; this reader supports flat schemas only");
        }

        var levelsLength = header.DefinitionLevelsByteLength;
        if (levelsLength < 0 || levelsLength > stored.Length || levelsLength > header.UncompressedPageSize)
        {
            throw new ParquetFormatException($"definition levels length {levelsLength} is out of range for a {stored.Length}-byte page");
        }

        var present = count;
        if (nulls is not null)
        {
            present = DecodeLevels(stored[..levelsLength], firstRow, count);
        }
        else if (levelsLength != 0)
        {
            throw new ParquetFormatException("REQUIRED column has definition levels");
        }

        var valuesPage = Decompress(stored[levelsLength..], header.UncompressedPageSize - levelsLength, header.IsCompressed);
        DecodeValues(header.Encoding, valuesPage, firstRow, count, present);
        return count;
    }

    private int CheckPageRows(PageHeader header)
    {
        if (!header.HasDataHeader || header.NumValues < 0)
        {
            throw new ParquetFormatException("data page header is missing or has a negative value count");
        }

        return header.NumValues;
    }

    /// <summary>Decodes definition levels into the null flags; returns how many values are present.</summary>
    private int DecodeLevels(ReadOnlySpan<byte> data, int firstRow, int count)
    {
        if (count > rows - firstRow)
        {
            throw new ParquetFormatException($"data pages hold more values than the row group's {rows} rows");
        }

        if (scratchLevels.Length < count)
        {
            scratchLevels = new int[count];
        }

        var levels = scratchLevels.AsSpan(0, count);
        RleHybridDecoder.Decode(data, 1, levels);
        var present = 0;
        var flags = nulls.AsSpan(firstRow, count);
        for (var i = 0; i < count; i++)
        {
            var level = levels[i];
            if (level > 1)
            {
                throw new ParquetFormatException($"definition level {level} is above the column's maximum of 1");
            }

            flags[i] = level == 0;
            present += level;
        }

        return present;
    }

    private void DecodeValues(ParquetEncoding encoding, ReadOnlySpan<byte> data, int firstRow, int count, int present)
    {
        if (count > rows - firstRow)
        {
            throw new ParquetFormatException($"data pages hold more values than the row group's {rows} rows");
        }

        var dictionaryEncoded = encoding is ParquetEncoding.RleDictionary or ParquetEncoding.PlainDictionary;
        if (IsByteArray && dictionaryEncoded && (firstRow == 0 || rowIndices is not null))
        {
            DecodeRowIndices(data, firstRow, count, present);
            return;
        }

        if (rowIndices is not null)
        {
            MaterializeRowIndices(firstRow);
        }

        switch (encoding)
        {
            case ParquetEncoding.RleDictionary:
            case ParquetEncoding.PlainDictionary:
                DecodeDictionaryIndices(data, firstRow, count, present);
                return;
            case ParquetEncoding.Plain when IsByteArray:
                {
                    var start = BeginByteArrays(firstRow, data.Length);
                    var dense = new int[present + 1];
                    DecodePlainByteArrays(data, present, bytes.AsSpan(start), dense);
                    ScatterByteArrays(firstRow, count, start, dense);
                    return;
                }

            case ParquetEncoding.Plain when nulls is null:
                DecodePlainFixed(data, values!, firstRow, present);
                return;
            case ParquetEncoding.Plain:
                DecodeFixedDense(data, firstRow, count, present, (source, target) => DecodePlainFixed(source, target, 0, target.Length));
                return;
            case ParquetEncoding.Rle when column.PhysicalType == ParquetPhysicalType.Boolean:
                DecodeFixedDense(data, firstRow, count, present, (source, target) =>
                {
                    if (source.Length < 4)
                    {
                        throw new ParquetFormatException("RLE BOOLEAN page ends before its length prefix");
                    }

                    var length = BinaryPrimitives.ReadInt32LittleEndian(source);
                    if (length < 0 || length > source.Length - 4)
                    {
                        throw new ParquetFormatException($"RLE BOOLEAN length {length} is out of range");
                    }

                    var decoded = new int[target.Length];
                    RleHybridDecoder.Decode(source.Slice(4, length), 1, decoded);
                    var booleans = (bool[])target;
                    for (var i = 0; i < decoded.Length; i++)
                    {
                        booleans[i] = decoded[i] != 0;
                    }
                });
                return;
            case ParquetEncoding.DeltaBinaryPacked when column.PhysicalType is ParquetPhysicalType.Int32 or ParquetPhysicalType.Int64:
                DecodeFixedDense(data, firstRow, count, present, (source, target) =>
                {
                    var longs = new long[target.Length];
                    DeltaBinaryPackedDecoder.Decode(source, longs);
                    if (target is int[] ints)
                    {
                        for (var i = 0; i < present; i++)
                        {
                            ints[i] = unchecked((int)longs[i]);
                        }
                    }
                    else
                    {
                        longs.CopyTo((long[])target, 0);
                    }
                });
                return;
            case ParquetEncoding.ByteStreamSplit when !IsByteArray && column.PhysicalType != ParquetPhysicalType.Boolean:
                DecodeFixedDense(data, firstRow, count, present, (source, target) =>
                {
                    var width = FixedWidth;
                    var n = target.Length;
                    if (source.Length < (long)n * width)
                    {
                        throw new ParquetFormatException("BYTE_STREAM_SPLIT page ends before its values");
                    }

                    var joined = new byte[n * width];
                    for (var b = 0; b < width; b++)
                    {
                        for (var i = 0; i < n; i++)
                        {
                            joined[(i * width) + b] = source[(b * n) + i];
                        }
                    }

                    DecodePlainFixed(joined, target, 0, n);
                });
                return;
            case ParquetEncoding.DeltaLengthByteArray when IsByteArray:
                DecodeDeltaLength(data, firstRow, count, present);
                return;
            case ParquetEncoding.DeltaByteArray when IsByteArray:
                DecodeDeltaByteArray(data, firstRow, count, present);
                return;
            default:
                throw new ParquetFormatException($"encoding {encoding} is not supported for {column.PhysicalType} columns");
        }
    }

    private Span<int> Scratch(int count)
    {
        if (scratchIndices.Length < count)
        {
            scratchIndices = new int[count];
        }

        return scratchIndices.AsSpan(0, count);
    }

    private void RequireDictionary()
    {
        if (dictionaryCount < 0)
        {
            throw new ParquetFormatException("dictionary-encoded page without a dictionary page");
        }
    }

    /// <summary>Decodes a dictionary-encoded page's indices (bit width, then RLE/bit-packed runs), each checked against the dictionary.</summary>
    private void DecodeIndices(ReadOnlySpan<byte> data, Span<int> indices)
    {
        if (data.Length < 1)
        {
            throw new ParquetFormatException("dictionary-encoded page ends before its bit width");
        }

        RleHybridDecoder.Decode(data[1..], data[0], indices);
        foreach (var index in indices)
        {
            if ((uint)index >= (uint)dictionaryCount)
            {
                throw new ParquetFormatException($"dictionary index {index} is out of range (the dictionary has {dictionaryCount} entries)");
            }
        }
    }

    /// <summary>A dictionary-encoded byte-array page kept as indices: no value is copied.</summary>
    private void DecodeRowIndices(ReadOnlySpan<byte> data, int firstRow, int count, int present)
    {
        RequireDictionary();
        rowIndices ??= new int[rows];
        var target = rowIndices.AsSpan(firstRow, count);
        if (present == 0)
        {
            target.Fill(dictionaryCount);
            return;
        }

        var indices = nulls is null ? target : Scratch(present);
        DecodeIndices(data, indices);
        if (nulls is not null)
        {
            var flags = nulls.AsSpan(firstRow, count);
            var k = 0;
            for (var r = 0; r < count; r++)
            {
                target[r] = flags[r] ? dictionaryCount : indices[k++];
            }
        }
    }

    /// <summary>Copies the values of the rows before <paramref name="firstRow"/>, held as indices so far, into the byte buffer.</summary>
    private void MaterializeRowIndices(int firstRow)
    {
        var indices = rowIndices!.AsSpan(0, firstRow);
        long total = 0;
        foreach (var index in indices)
        {
            total += dictionaryOffsets![index + 1] - dictionaryOffsets[index];
        }

        if (total > Array.MaxLength)
        {
            throw new ParquetFormatException("column chunk decodes to more than 2 GB of byte-array data");
        }

        var start = BeginByteArrays(0, (int)total);
        var position = start;
        for (var r = 0; r < indices.Length; r++)
        {
            offsets![r] = position;
            var entry = dictionaryBytes.AsSpan(dictionaryOffsets![indices[r]], dictionaryOffsets[indices[r] + 1] - dictionaryOffsets[indices[r]]);
            entry.CopyTo(bytes.AsSpan(position));
            position += entry.Length;
        }

        offsets![firstRow] = position;
        bytesLength = position;
        rowIndices = null;
    }

    private void DecodeDictionaryIndices(ReadOnlySpan<byte> data, int firstRow, int count, int present)
    {
        RequireDictionary();
        if (present == 0)
        {
            ScatterEmpty(firstRow, count);
            return;
        }

        var indices = Scratch(present);
        DecodeIndices(data, indices);

        if (IsByteArray)
        {
            long total = 0;
            foreach (var index in indices)
            {
                total += dictionaryOffsets![index + 1] - dictionaryOffsets[index];
            }

            if (total > Array.MaxLength - bytesLength)
            {
                throw new ParquetFormatException("column chunk decodes to more than 2 GB of byte-array data");
            }

            var start = BeginByteArrays(firstRow, (int)total);
            var target = bytes.AsSpan(start);
            var position = 0;
            var k = 0;
            for (var r = 0; r < count; r++)
            {
                offsets![firstRow + r] = start + position;
                if (nulls is null || !nulls[firstRow + r])
                {
                    var index = indices[k++];
                    var entry = dictionaryBytes.AsSpan(dictionaryOffsets![index], dictionaryOffsets[index + 1] - dictionaryOffsets[index]);
                    entry.CopyTo(target[position..]);
                    position += entry.Length;
                }
            }

            offsets![firstRow + count] = start + position;
            bytesLength = start + position;
            return;
        }

        switch (values)
        {
            case int[] ints:
                Gather((int[])dictionary!, indices, ints, firstRow, count);
                break;
            case long[] longs:
                Gather((long[])dictionary!, indices, longs, firstRow, count);
                break;
            case float[] floats:
                Gather((float[])dictionary!, indices, floats, firstRow, count);
                break;
            case double[] doubles:
                Gather((double[])dictionary!, indices, doubles, firstRow, count);
                break;
            case bool[] booleans:
                Gather((bool[])dictionary!, indices, booleans, firstRow, count);
                break;
        }
    }

    private void Gather<T>(T[] dict, ReadOnlySpan<int> indices, T[] target, int firstRow, int count)
    {
        if (nulls is null)
        {
            for (var r = 0; r < count; r++)
            {
                target[firstRow + r] = dict[indices[r]];
            }

            return;
        }

        var k = 0;
        for (var r = 0; r < count; r++)
        {
            if (!nulls[firstRow + r])
            {
                target[firstRow + r] = dict[indices[k++]];
            }
        }
    }

    /// <summary>Decodes <paramref name="present"/> fixed-size values densely, then spreads them over the non-null rows.</summary>
    private void DecodeFixedDense(ReadOnlySpan<byte> data, int firstRow, int count, int present, DenseDecoder decode)
    {
        var dense = Array.CreateInstance(values!.GetType().GetElementType()!, present);
        decode(data, dense);
        switch (values)
        {
            case int[] ints:
                Spread((int[])dense, ints, firstRow, count);
                break;
            case long[] longs:
                Spread((long[])dense, longs, firstRow, count);
                break;
            case float[] floats:
                Spread((float[])dense, floats, firstRow, count);
                break;
            case double[] doubles:
                Spread((double[])dense, doubles, firstRow, count);
                break;
            case bool[] booleans:
                Spread((bool[])dense, booleans, firstRow, count);
                break;
        }
    }

    private void Spread<T>(T[] dense, T[] target, int firstRow, int count)
    {
        if (nulls is null)
        {
            dense.CopyTo(target, firstRow);
            return;
        }

        var k = 0;
        for (var r = 0; r < count; r++)
        {
            if (!nulls[firstRow + r])
            {
                target[firstRow + r] = dense[k++];
            }
        }
    }

    private delegate void DenseDecoder(ReadOnlySpan<byte> source, Array target);

    private void DecodePlainFixed(ReadOnlySpan<byte> source, Array target, int start, int count)
    {
        if (target is bool[] booleans)
        {
            if (source.Length < (count + 7) / 8)
            {
                throw new ParquetFormatException("PLAIN BOOLEAN values end early");
            }

            for (var i = 0; i < count; i++)
            {
                booleans[start + i] = (source[i >> 3] & (1 << (i & 7))) != 0;
            }

            return;
        }

        var width = FixedWidth;
        if (source.Length < (long)count * width)
        {
            throw new ParquetFormatException($"PLAIN values end early: {count} values of {width} bytes need {(long)count * width}, the page has {source.Length}");
        }

        var bytesSpan = source[..(count * width)];
        switch (target)
        {
            case int[] ints:
                MemoryMarshal.Cast<byte, int>(bytesSpan).CopyTo(ints.AsSpan(start));
                break;
            case long[] longs:
                MemoryMarshal.Cast<byte, long>(bytesSpan).CopyTo(longs.AsSpan(start));
                break;
            case float[] floats:
                MemoryMarshal.Cast<byte, float>(bytesSpan).CopyTo(floats.AsSpan(start));
                break;
            case double[] doubles:
                MemoryMarshal.Cast<byte, double>(bytesSpan).CopyTo(doubles.AsSpan(start));
                break;
        }
    }

    private void ScatterEmpty(int firstRow, int count)
    {
        if (offsets is not null)
        {
            var start = BeginByteArrays(firstRow, 0);
            offsets.AsSpan(firstRow, count + 1).Fill(start);
        }
    }

    /// <summary>Makes room for <paramref name="extra"/> more bytes of byte-array data; returns where the page's data starts.</summary>
    private int BeginByteArrays(int firstRow, int extra)
    {
        var start = bytesLength;
        if ((long)start + extra > Array.MaxLength)
        {
            throw new ParquetFormatException("column chunk decodes to more than 2 GB of byte-array data");
        }

        if (start + extra > bytes.Length)
        {
            Array.Resize(ref bytes, (int)Math.Min(Array.MaxLength, Math.Max((long)start + extra, bytes.Length * 2L)));
        }

        offsets![firstRow] = start;
        return start;
    }

    /// <summary>PLAIN byte arrays: 4-byte length then bytes. Fills dense offsets relative to <paramref name="target"/>; returns bytes consumed.</summary>
    private int DecodePlainByteArrays(ReadOnlySpan<byte> source, int count, Span<byte> target, Span<int> denseOffsets)
    {
        var fixedWidth = FixedWidth;
        var position = 0;
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            int length;
            if (fixedWidth > 0)
            {
                length = fixedWidth;
            }
            else
            {
                if (position > source.Length - 4)
                {
                    throw new ParquetFormatException($"PLAIN byte array {i} of {count} starts past the end of its page");
                }

                length = BinaryPrimitives.ReadInt32LittleEndian(source[position..]);
                position += 4;
            }

            if (length < 0 || length > source.Length - position)
            {
                throw new ParquetFormatException($"PLAIN byte array {i} of {count} has length {length}, past the end of its page");
            }

            denseOffsets[i] = written;
            source.Slice(position, length).CopyTo(target[written..]);
            written += length;
            position += length;
        }

        denseOffsets[count] = written;
        return position;
    }

    /// <summary>Turns dense value offsets (relative to <paramref name="start"/>) into per-row offsets, nulls being empty.</summary>
    private void ScatterByteArrays(int firstRow, int count, int start, ReadOnlySpan<int> dense)
    {
        var k = 0;
        for (var r = 0; r < count; r++)
        {
            offsets![firstRow + r] = start + dense[k];
            if (nulls is null || !nulls[firstRow + r])
            {
                k++;
            }
        }

        offsets![firstRow + count] = start + dense[k];
        bytesLength = start + dense[k];
    }

    private void DecodeDeltaLength(ReadOnlySpan<byte> data, int firstRow, int count, int present)
    {
        var lengths = new long[present];
        var position = DeltaBinaryPackedDecoder.Decode(data, lengths);
        var dense = new int[present + 1];
        long total = 0;
        for (var i = 0; i < present; i++)
        {
            if (lengths[i] < 0 || lengths[i] > data.Length)
            {
                throw new ParquetFormatException($"DELTA_LENGTH_BYTE_ARRAY length {lengths[i]} is out of range");
            }

            dense[i] = (int)total;
            total += lengths[i];
        }

        if (total > data.Length - position)
        {
            throw new ParquetFormatException("DELTA_LENGTH_BYTE_ARRAY data ends early");
        }

        dense[present] = (int)total;
        var start = BeginByteArrays(firstRow, (int)total);
        data.Slice(position, (int)total).CopyTo(bytes.AsSpan(start));
        ScatterByteArrays(firstRow, count, start, dense);
    }

    private void DecodeDeltaByteArray(ReadOnlySpan<byte> data, int firstRow, int count, int present)
    {
        var prefixes = new long[present];
        var position = DeltaBinaryPackedDecoder.Decode(data, prefixes);
        var suffixLengths = new long[present];
        position += DeltaBinaryPackedDecoder.Decode(data[position..], suffixLengths);
        var dense = new int[present + 1];
        var values = new List<byte>();
        var previous = Array.Empty<byte>();
        for (var i = 0; i < present; i++)
        {
            var prefix = prefixes[i];
            var suffix = suffixLengths[i];
            if (prefix < 0 || prefix > previous.Length || suffix < 0 || suffix > data.Length - position)
            {
                throw new ParquetFormatException($"DELTA_BYTE_ARRAY value {i} has a bad prefix ({prefix}) or suffix ({suffix}) length");
            }

            var value = new byte[prefix + suffix];
            previous.AsSpan(0, (int)prefix).CopyTo(value);
            data.Slice(position, (int)suffix).CopyTo(value.AsSpan((int)prefix));
            position += (int)suffix;
            dense[i] = values.Count;
            values.AddRange(value);
            previous = value;
        }

        dense[present] = values.Count;
        var start = BeginByteArrays(firstRow, values.Count);
        CollectionsMarshal.AsSpan(values).CopyTo(bytes.AsSpan(start));
        ScatterByteArrays(firstRow, count, start, dense);
    }
}
