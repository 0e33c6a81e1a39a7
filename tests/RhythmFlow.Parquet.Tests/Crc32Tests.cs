using RhythmFlow.Parquet.Encodings;

namespace RhythmFlow.Parquet.Tests;

public sealed class Crc32Tests
{
    [Fact]
    public void Compute_CheckString_IsTheStandardCheckValue()
    {
        // Given: the CRC catalogue's check input
        var input = "123456789"u8;

        // When
        var crc = Crc32.Compute(input);

        // Then
        crc.ShouldBe(0xCBF43926u);
    }

    [Fact]
    public void Compute_EveryLengthAroundTheFoldingBlocks_MatchesBitwiseDefinition()
    {
        // Given: seeded random bytes, cut at every length up to 300 (short, folded with a tail, several 64-byte
        // blocks) and at a page's size
        var bytes = new byte[(1 << 20) + 77];
        new Random(20261122).NextBytes(bytes);
        int[] lengths = [.. Enumerable.Range(0, 301), 4096, 65_599, bytes.Length];

        foreach (var length in lengths)
        {
            // When
            var crc = Crc32.Compute(bytes.AsSpan(0, length));

            // Then
            crc.ShouldBe(Bitwise(bytes.AsSpan(0, length)), $"length {length}");
        }
    }

    /// <summary>CRC-32 one bit at a time, straight from the definition (reflected 0xEDB88320, inverted in and out).</summary>
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
