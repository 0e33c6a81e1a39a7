using System.Buffers.Binary;
using System.Numerics;

namespace RhythmFlow.Parquet.Writing;

/// <summary>A fast non-cryptographic hash of short byte strings, for dictionary building.</summary>
internal static class ByteArrayHasher
{
    public static int Hash(ReadOnlySpan<byte> value)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)value.Length;
        var i = 0;
        for (; i + 8 <= value.Length; i += 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(value[i..])) * 0xBF58476D1CE4E5B9UL, 31);
        }

        ulong tail = 0;
        for (var shift = 0; i < value.Length; i++, shift += 8)
        {
            tail |= (ulong)value[i] << shift;
        }

        h = (h ^ tail) * 0x94D049BB133111EBUL;
        return (int)(h ^ (h >> 29));
    }

    public static int Hash(ulong bits)
    {
        var h = bits * 0x9E3779B97F4A7C15UL;
        return (int)(h ^ (h >> 32));
    }
}
