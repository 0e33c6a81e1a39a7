using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RhythmFlow.Parquet.Writing;

/// <summary>
/// Buffers INT32, INT64, FLOAT or DOUBLE values (<typeparamref name="T"/> is int, long, float or double).
/// Dictionary keys are the values' bit patterns, so -0.0 and NaN payloads round-trip exactly.
/// </summary>
public sealed class FixedColumnWriter<T> : ParquetColumnWriter
    where T : unmanaged
{
    private T[] values = System.Buffers.ArrayPool<T>.Shared.Rent(InitialCapacity);
    private Slot[] table = [];

    internal FixedColumnWriter(ParquetColumn column)
        : base(column)
    {
        var expected = column.PhysicalType switch
        {
            ParquetPhysicalType.Int32 => typeof(int),
            ParquetPhysicalType.Int64 => typeof(long),
            ParquetPhysicalType.Float => typeof(float),
            ParquetPhysicalType.Double => typeof(double),
            _ => null,
        };
        if (expected != typeof(T))
        {
            throw new InvalidOperationException($"Column '{column.Name}' is {column.PhysicalType}; it takes {expected?.Name ?? "another writer"} values, not {typeof(T).Name}.");
        }
    }

    internal override long BufferedBytes => (long)ValueCount * Unsafe.SizeOf<T>() + Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(T value)
    {
        var index = ValueCount;
        if (index == values.Length)
        {
            Pooled.Grow(ref values, index + 1, index);
        }

        values[index] = value;
        Defined();
    }

    public void Append(T? value)
    {
        if (value is { } v)
        {
            Append(v);
        }
        else
        {
            AppendNull();
        }
    }

    /// <summary>Appends many non-null values at once.</summary>
    public void AppendRange(ReadOnlySpan<T> source)
    {
        foreach (var value in source)
        {
            Append(value);
        }
    }

    internal override long PlainBytes(int from, int to) => (long)(to - from) * Unsafe.SizeOf<T>();

    internal override void WritePlain(int from, int to, ByteBuffer output)
    {
        // Parquet is little-endian, as is every platform .NET runs this on.
        var bytes = MemoryMarshal.AsBytes(values.AsSpan(from, to - from));
        output.Write(bytes);
    }

    internal override bool TryBuildDictionary(int maxDictionaryBytes, int[] indices, out int entries, out long dictionaryBytes)
    {
        entries = 0;
        dictionaryBytes = 0;
        dictionaryCount = 0;
        var size = Unsafe.SizeOf<T>();
        var maxEntries = Math.Max(1, maxDictionaryBytes / size);
        var plainBytes = PlainBytes(0, ValueCount);
        Pooled.EnsureSize(ref dictionaryEntries, Math.Min(ValueCount, maxEntries));
        var capacity = FirstTableSize();
        NewTable(capacity);
        var mask = capacity - 1;
        var count = 0;
        var previous = 0UL;
        for (var i = 0; i < ValueCount; i++)
        {
            if (i == DistinctSample && SampleLooksUnique(count))
            {
                return false;
            }

            var bits = Bits(values[i]);

            // Neighbours often repeat (a session id, one user's fields across a session): skip the hash.
            if (i > 0 && bits == previous)
            {
                indices[i] = indices[i - 1];
                continue;
            }

            previous = bits;
            var slot = ByteArrayHasher.Hash(bits) & mask;
            while (true)
            {
                ref var candidate = ref table[slot];
                if (candidate.Entry == 0)
                {
                    if ((count + 1) * 2 > capacity)
                    {
                        capacity *= 2;
                        Rehash(capacity);
                        mask = capacity - 1;
                        slot = ByteArrayHasher.Hash(bits) & mask;
                        continue;
                    }

                    if (count == maxEntries || CannotBeatPlain(count + 1, (long)(count + 1) * size, plainBytes))
                    {
                        return false;
                    }

                    dictionaryEntries[count] = i;
                    candidate = new Slot(bits, ++count);
                    indices[i] = count - 1;
                    break;
                }

                if (candidate.Key == bits)
                {
                    indices[i] = candidate.Entry - 1;
                    break;
                }

                slot = (slot + 1) & mask;
            }
        }

        dictionaryCount = count;
        entries = count;
        dictionaryBytes = (long)count * size;
        return true;
    }

    internal override void Reset()
    {
        base.Reset();
        Pooled.Return(ref table);
    }

    internal override void Release()
    {
        Pooled.Return(ref values);
        base.Release();
    }

    private void NewTable(int capacity)
    {
        Pooled.EnsureSize(ref table, capacity);
        table.AsSpan(0, capacity).Clear();
    }

    private void Rehash(int capacity)
    {
        var old = table;
        var oldCapacity = capacity / 2;
        table = [];
        NewTable(capacity);
        var mask = capacity - 1;
        foreach (var entry in old.AsSpan(0, oldCapacity))
        {
            if (entry.Entry == 0)
            {
                continue;
            }

            var slot = ByteArrayHasher.Hash(entry.Key) & mask;
            while (table[slot].Entry != 0)
            {
                slot = (slot + 1) & mask;
            }

            table[slot] = entry;
        }

        Pooled.Return(ref old);
    }

    internal override void WriteDictionary(ByteBuffer output)
    {
        var span = output.GetSpan(dictionaryCount * Unsafe.SizeOf<T>());
        var target = MemoryMarshal.Cast<byte, T>(span[..(dictionaryCount * Unsafe.SizeOf<T>())]);
        for (var i = 0; i < dictionaryCount; i++)
        {
            target[i] = values[dictionaryEntries[i]];
        }

        output.Advance(dictionaryCount * Unsafe.SizeOf<T>());
    }

    internal override (byte[] Min, byte[] Max)? MinMax()
    {
        if (ValueCount == 0)
        {
            return null;
        }

        var span = values.AsSpan(0, ValueCount);
        if (typeof(T) == typeof(int))
        {
            var ints = MemoryMarshal.Cast<T, int>(span);
            int min = int.MaxValue, max = int.MinValue;
            foreach (var v in ints)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            return (Encode(min), Encode(max));
        }

        if (typeof(T) == typeof(long))
        {
            var longs = MemoryMarshal.Cast<T, long>(span);
            long min = long.MaxValue, max = long.MinValue;
            foreach (var v in longs)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            return (Encode(min), Encode(max));
        }

        double dmin = double.PositiveInfinity, dmax = double.NegativeInfinity;
        var any = false;
        if (typeof(T) == typeof(double))
        {
            foreach (var v in MemoryMarshal.Cast<T, double>(span))
            {
                Widen(v, ref dmin, ref dmax, ref any);
            }
        }
        else
        {
            foreach (var v in MemoryMarshal.Cast<T, float>(span))
            {
                Widen(v, ref dmin, ref dmax, ref any);
            }
        }

        if (!any)
        {
            return null;
        }

        // The spec asks for -0.0 as a zero minimum and +0.0 as a zero maximum, so either zero is inside the bounds.
        if (dmin == 0)
        {
            dmin = -0.0;
        }

        if (dmax == 0)
        {
            dmax = 0.0;
        }

        return typeof(T) == typeof(double)
            ? (Encode(dmin), Encode(dmax))
            : (Encode((float)dmin), Encode((float)dmax));
    }

    private static void Widen(double value, ref double min, ref double max, ref bool any)
    {
        // NaN has no place in an ordering, so it never becomes a bound.
        if (!double.IsNaN(value))
        {
            any = true;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bits(T value) => Unsafe.SizeOf<T>() == 4 ? Unsafe.As<T, uint>(ref value) : Unsafe.As<T, ulong>(ref value);

    private static byte[] Encode(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Encode(float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Encode(double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>A hash-table slot: a value's bits and its dictionary entry + 1 (0 = empty, since any bits are a valid key).</summary>
    private readonly record struct Slot(ulong Key, int Entry);
}
