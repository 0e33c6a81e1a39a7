namespace RhythmFlow.Parquet.Encodings;

/// <summary>
/// DELTA_BINARY_PACKED (Encodings.md), the default integer encoding of v2 writers such as DuckDB's, and the length
/// stream of DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY. Arithmetic wraps, as the spec requires.
/// </summary>
internal static class DeltaBinaryPackedDecoder
{
    /// <summary>Decodes exactly <paramref name="output"/>.Length values; returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> data, Span<long> output)
    {
        var position = 0;
        var blockSize = ReadVarint(data, ref position);
        var miniblocks = ReadVarint(data, ref position);
        var total = ReadVarint(data, ref position);
        var first = ZigZag(ReadVarint(data, ref position));
        if (blockSize == 0 || blockSize % 128 != 0 || miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0 ||
            blockSize > 1 << 20)
        {
            throw new ParquetFormatException($"DELTA_BINARY_PACKED header has a bad block size {blockSize} or miniblock count {miniblocks}");
        }

        if (total < (ulong)output.Length)
        {
            throw new ParquetFormatException($"DELTA_BINARY_PACKED holds {total} values but the page needs {output.Length}");
        }

        if (output.Length == 0)
        {
            return position;
        }

        var perMiniblock = (int)(blockSize / miniblocks);
        output[0] = first;
        var filled = 1;
        var previous = first;
        while (filled < output.Length)
        {
            var minDelta = ZigZag(ReadVarint(data, ref position));
            var widthsStart = position;
            if (position + (long)miniblocks > data.Length)
            {
                throw new ParquetFormatException("DELTA_BINARY_PACKED block header ends past the end of its page");
            }

            position += (int)miniblocks;
            for (var m = 0; m < (int)miniblocks && filled < output.Length; m++)
            {
                int width = data[widthsStart + m];
                if (width > 64)
                {
                    throw new ParquetFormatException($"DELTA_BINARY_PACKED miniblock bit width {width} is over 64");
                }

                var bytes = perMiniblock * width / 8;
                if (position + bytes > data.Length)
                {
                    throw new ParquetFormatException("DELTA_BINARY_PACKED miniblock ends past the end of its page");
                }

                var take = Math.Min(perMiniblock, output.Length - filled);
                var block = data.Slice(position, bytes);
                for (var k = 0; k < take; k++)
                {
                    previous = unchecked(previous + minDelta + (long)ReadBits(block, (long)k * width, width));
                    output[filled++] = previous;
                }

                position += bytes;
            }
        }

        return position;
    }

    private static ulong ReadBits(ReadOnlySpan<byte> data, long bitPosition, int width)
    {
        ulong result = 0;
        var got = 0;
        while (got < width)
        {
            var index = (int)(bitPosition >> 3);
            var offset = (int)(bitPosition & 7);
            var take = Math.Min(8 - offset, width - got);
            result |= (ulong)((data[index] >> offset) & ((1 << take) - 1)) << got;
            got += take;
            bitPosition += take;
        }

        return result;
    }

    private static long ZigZag(ulong raw) => (long)(raw >> 1) ^ -(long)(raw & 1);

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new ParquetFormatException("DELTA_BINARY_PACKED varint ends past the end of its page");
            }

            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new ParquetFormatException("bad varint in DELTA_BINARY_PACKED data");
    }
}
