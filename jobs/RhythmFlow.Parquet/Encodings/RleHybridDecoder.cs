namespace RhythmFlow.Parquet.Encodings;

/// <summary>
/// Decodes the RLE/bit-packing hybrid. Every run is checked against the bytes that are really there, so a bad
/// header fails instead of reading past the page or looping.
/// </summary>
internal static class RleHybridDecoder
{
    /// <summary>Fills <paramref name="output"/> completely from <paramref name="data"/>; returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32)
        {
            throw new ParquetFormatException($"RLE bit width {bitWidth} is out of range 0..32");
        }

        var position = 0;
        var filled = 0;
        var valueBytes = (bitWidth + 7) / 8;
        var mask = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        while (filled < output.Length)
        {
            var header = ReadVarint(data, ref position);
            if ((header & 1) == 0)
            {
                var count = header >> 1;
                if (count == 0)
                {
                    throw new ParquetFormatException("RLE run of length 0");
                }

                if (position + valueBytes > data.Length)
                {
                    throw new ParquetFormatException("RLE run value ends past the end of its page (truncated levels or indices)");
                }

                uint value = 0;
                for (var b = 0; b < valueBytes; b++)
                {
                    value |= (uint)data[position++] << (8 * b);
                }

                var take = (int)Math.Min(count, (uint)(output.Length - filled));
                output.Slice(filled, take).Fill((int)value);
                filled += take;
            }
            else
            {
                var groups = header >> 1;
                if (groups == 0)
                {
                    throw new ParquetFormatException("bit-packed run of length 0");
                }

                var runValues = (long)groups * 8;
                var take = (int)Math.Min(runValues, output.Length - filled);
                var neededBytes = (((long)take * bitWidth) + 7) / 8;
                if (position + neededBytes > data.Length)
                {
                    throw new ParquetFormatException("bit-packed run ends past the end of its page (truncated levels or indices)");
                }

                Unpack(data[position..], bitWidth, mask, output.Slice(filled, take));
                filled += take;
                position += (int)Math.Min(runValues * bitWidth / 8, data.Length - position);
            }
        }

        return position;
    }

    private static void Unpack(ReadOnlySpan<byte> data, int bitWidth, uint mask, Span<int> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }

        ulong accumulator = 0;
        var bits = 0;
        var position = 0;
        for (var k = 0; k < output.Length; k++)
        {
            while (bits < bitWidth)
            {
                accumulator |= (ulong)data[position++] << bits;
                bits += 8;
            }

            output[k] = (int)((uint)accumulator & mask);
            accumulator >>= bitWidth;
            bits -= bitWidth;
        }
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new ParquetFormatException("RLE run header ends past the end of its page (truncated levels or indices)");
            }

            var b = data[position++];
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new ParquetFormatException("bad varint in an RLE run header");
    }
}
