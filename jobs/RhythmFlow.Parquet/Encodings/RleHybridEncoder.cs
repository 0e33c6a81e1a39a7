namespace RhythmFlow.Parquet.Encodings;

/// <summary>
/// The RLE/bit-packing hybrid (Encodings.md) for definition levels and dictionary indices: runs of eight or more
/// equal values become RLE runs, everything else is bit-packed in groups of eight, LSB first.
/// </summary>
internal static class RleHybridEncoder
{
    /// <summary>Upper bound of the encoded size, for sizing the output buffer.</summary>
    public static int MaxEncodedSize(int count, int bitWidth) => (count * bitWidth / 8) + (count / 8 * 2) + 32 + ((count + 7) / 8 * 6);

    /// <summary>Encodes <paramref name="values"/> into <paramref name="output"/>; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<int> values, int bitWidth, Span<byte> output)
    {
        var position = 0;
        var literalStart = -1;
        var i = 0;
        var n = values.Length;
        while (i < n)
        {
            var value = values[i];
            var j = i + 1;
            while (j < n && values[j] == value)
            {
                j++;
            }

            var run = j - i;
            if (run >= 8)
            {
                var start = i;
                if (literalStart >= 0)
                {
                    // Bit-packed groups hold eight values, so top up the pending literals from this run first.
                    var pad = (8 - ((i - literalStart) % 8)) % 8;
                    if (run - pad >= 8)
                    {
                        position += WriteBitPacked(values[literalStart..(i + pad)], bitWidth, output[position..]);
                        literalStart = -1;
                        start = i + pad;
                    }
                }

                if (literalStart < 0)
                {
                    position += WriteRle(value, j - start, bitWidth, output[position..]);
                    i = j;
                    continue;
                }
            }

            if (literalStart < 0)
            {
                literalStart = i;
            }

            i = j;
        }

        if (literalStart >= 0)
        {
            position += WriteBitPacked(values[literalStart..], bitWidth, output[position..]);
        }

        return position;
    }

    private static int WriteRle(int value, int count, int bitWidth, Span<byte> output)
    {
        var position = WriteVarint((uint)count << 1, output);
        for (var b = 0; b < (bitWidth + 7) / 8; b++)
        {
            output[position++] = (byte)(value >> (8 * b));
        }

        return position;
    }

    /// <summary>Writes one bit-packed run; a final partial group is padded with zeros (readers stop at the value count).</summary>
    private static int WriteBitPacked(ReadOnlySpan<int> values, int bitWidth, Span<byte> output)
    {
        var groups = (values.Length + 7) / 8;
        var position = WriteVarint(((uint)groups << 1) | 1, output);
        if (bitWidth == 0)
        {
            return position;
        }

        ulong accumulator = 0;
        var bits = 0;
        var total = groups * 8;
        for (var k = 0; k < total; k++)
        {
            var v = k < values.Length ? (uint)values[k] : 0u;
            accumulator |= (ulong)v << bits;
            bits += bitWidth;
            while (bits >= 8)
            {
                output[position++] = (byte)accumulator;
                accumulator >>= 8;
                bits -= 8;
            }
        }

        return position;
    }

    private static int WriteVarint(uint value, Span<byte> output)
    {
        var position = 0;
        while (value >= 0x80)
        {
            output[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[position++] = (byte)value;
        return position;
    }

    /// <summary>Bits needed to hold values 0..<paramref name="maxValue"/>.</summary>
    public static int BitWidthOf(int maxValue) => maxValue <= 0 ? 0 : 32 - int.LeadingZeroCount(maxValue);
}
