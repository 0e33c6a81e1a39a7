using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RhythmFlow.Parquet.Encodings;

/// <summary>
/// CRC-32 (the GZIP polynomial) for page checksums, which the writer computes over every page it stores and the
/// reader checks. With PCLMULQDQ (every x86-64 CPU since 2010) 64-byte blocks are folded with carry-less multiplies,
/// several times faster than the slicing-by-8 tables that take the rest; System.IO.Hashing would do the same but is
/// a separate package, and the codec has none.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        if (Pclmulqdq.IsSupported && Sse41.IsSupported && data.Length >= 64)
        {
            var folded = data.Length & ~15;
            crc = Fold(data[..folded], crc);
            data = data[folded..];
        }

        return ~Update(crc, data);
    }

    /// <summary>
    /// Folds whole 16-byte blocks (at least four) into the running CRC: four lanes of 128 bits in parallel, then one,
    /// then 64 and 32 bits, ending in a Barrett reduction. Constants are x^(k) mod P for the reflected polynomial, as in
    /// Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" and zlib's SIMD CRC-32.
    /// </summary>
    private static uint Fold(ReadOnlySpan<byte> data, uint crc)
    {
        var k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        var k5 = Vector128.Create(0x0163cd6124UL, 0UL);
        var poly = Vector128.Create(0x01db710641UL, 0x01f7011641UL);
        var low32 = Vector128.Create(~0u, 0u, ~0u, 0u).AsUInt64();

        ref var start = ref MemoryMarshal.GetReference(data);
        var x1 = Vector128.LoadUnsafe(ref start, 0).AsUInt64() ^ Vector128.CreateScalar(crc).AsUInt64();
        var x2 = Vector128.LoadUnsafe(ref start, 16).AsUInt64();
        var x3 = Vector128.LoadUnsafe(ref start, 32).AsUInt64();
        var x4 = Vector128.LoadUnsafe(ref start, 48).AsUInt64();
        nuint position = 64;
        var length = (nuint)data.Length;
        for (; position + 64 <= length; position += 64)
        {
            x1 = FoldInto(x1, k1k2, Vector128.LoadUnsafe(ref start, position).AsUInt64());
            x2 = FoldInto(x2, k1k2, Vector128.LoadUnsafe(ref start, position + 16).AsUInt64());
            x3 = FoldInto(x3, k1k2, Vector128.LoadUnsafe(ref start, position + 32).AsUInt64());
            x4 = FoldInto(x4, k1k2, Vector128.LoadUnsafe(ref start, position + 48).AsUInt64());
        }

        x1 = FoldInto(x1, k3k4, x2);
        x1 = FoldInto(x1, k3k4, x3);
        x1 = FoldInto(x1, k3k4, x4);
        for (; position + 16 <= length; position += 16)
        {
            x1 = FoldInto(x1, k3k4, Vector128.LoadUnsafe(ref start, position).AsUInt64());
        }

        // 128 bits to 64, then to 32.
        x2 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ x2;
        x2 = Sse2.ShiftRightLogical128BitLane(x1, 4);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & low32, k5, 0x00) ^ x2;

        // Barrett reduction.
        x2 = Pclmulqdq.CarrylessMultiply(x1 & low32, poly, 0x10);
        x2 = Pclmulqdq.CarrylessMultiply(x2 & low32, poly, 0x00);
        return Sse41.Extract((x1 ^ x2).AsUInt32(), 1);
    }

    private static Vector128<ulong> FoldInto(Vector128<ulong> accumulator, Vector128<ulong> constants, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(accumulator, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(accumulator, constants, 0x11) ^ next;

    /// <summary>Slicing-by-8 over <paramref name="data"/> from the running (not yet inverted) CRC.</summary>
    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var one = (uint)(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ crc;
            crc = table[(7 * 256) + (one & 0xFF)] ^ table[(6 * 256) + ((one >> 8) & 0xFF)] ^
                  table[(5 * 256) + ((one >> 16) & 0xFF)] ^ table[(4 * 256) + (one >> 24)] ^
                  table[(3 * 256) + data[i + 4]] ^ table[(2 * 256) + data[i + 5]] ^
                  table[256 + data[i + 6]] ^ table[data[i + 7]];
        }

        for (; i < data.Length; i++)
        {
            crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        for (var n = 0; n < 256; n++)
        {
            for (var s = 1; s < 8; s++)
            {
                var previous = table[((s - 1) * 256) + n];
                table[(s * 256) + n] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }

        return table;
    }
}
