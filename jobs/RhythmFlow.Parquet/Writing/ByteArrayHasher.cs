using System.Buffers.Binary;
using System.Numerics;

namespace RhythmFlow.Parquet.Writing;

/// <summary>A fast non-cryptographic hash of short byte strings, for dictionary building.</summary>
internal static class ByteArrayHasher
{
    public static int Hash(ReadOnlySpan<byte> value)
    {
        var length = value.Length;
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)length;
        ulong tail;

        // The last 1-8 bytes are read in one or two overlapping loads rather than byte by byte.
        if (length >= 8)
        {
            for (var i = 0; i + 8 < length; i += 8)
            {
                h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(value[i..])) * 0xBF58476D1CE4E5B9UL, 31);
            }

            tail = BinaryPrimitives.ReadUInt64LittleEndian(value[(length - 8)..]);
        }
        else if (length >= 4)
        {
            tail = BinaryPrimitives.ReadUInt32LittleEndian(value) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(value[(length - 4)..]) << 32);
        }
        else
        {
            tail = length == 0 ? 0 : value[0] | ((ulong)value[length >> 1] << 8) | ((ulong)value[length - 1] << 16);
        }

        // SplitMix64's finaliser: the tail's last bytes sit in the high bits, and the table indexes by the low ones.
        h ^= tail;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return (int)(h ^ (h >> 31));
    }

    public static int Hash(ulong bits)
    {
        var h = bits * 0x9E3779B97F4A7C15UL;
        return (int)(h ^ (h >> 32));
    }
}
