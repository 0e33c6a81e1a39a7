using System.Runtime.CompilerServices;
using System.Text;

namespace RhythmFlow.Parquet.Writing;

/// <summary>Buffers BYTE_ARRAY values (UTF-8 for STRING columns) in one byte buffer plus offsets: no per-value objects.</summary>
public sealed class ByteArrayColumnWriter : ParquetColumnWriter
{
    private byte[] data = System.Buffers.ArrayPool<byte>.Shared.Rent(InitialCapacity * 16);
    private int[] offsets = System.Buffers.ArrayPool<int>.Shared.Rent(InitialCapacity + 1);
    private int[] table = [];

    internal ByteArrayColumnWriter(ParquetColumn column)
        : base(column)
    {
        if (column.PhysicalType != ParquetPhysicalType.ByteArray)
        {
            throw new InvalidOperationException($"Column '{column.Name}' is {column.PhysicalType}, not BYTE_ARRAY.");
        }

        offsets[0] = 0;
    }

    internal override long BufferedBytes => offsets[ValueCount] + (ValueCount * 4L) + Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
        Commit(value.Length);
    }

    /// <summary>Appends a string as UTF-8, encoding straight into the buffer.</summary>
    public void Append(string? value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }

        var written = Encoding.UTF8.GetBytes(value, Reserve(Encoding.UTF8.GetMaxByteCount(value.Length)));
        Commit(written);
    }

    /// <summary>
    /// Returns space for a value of at most <paramref name="maxLength"/> bytes; finish with <see cref="Commit"/>.
    /// Lets a caller decode (e.g. unescape JSON) straight into the column buffer.
    /// </summary>
    public Span<byte> Reserve(int maxLength)
    {
        var end = offsets[ValueCount];
        if (end + maxLength > data.Length)
        {
            Pooled.Grow(ref data, end + maxLength, end);
        }

        return data.AsSpan(end, maxLength);
    }

    /// <summary>Completes a value written into <see cref="Reserve"/>'s span.</summary>
    public void Commit(int length)
    {
        var index = ValueCount;
        if (index + 1 == offsets.Length)
        {
            Pooled.Grow(ref offsets, index + 2, index + 1);
        }

        offsets[index + 1] = offsets[index] + length;
        Defined();
    }

    internal override void Reset()
    {
        base.Reset();
        Pooled.Return(ref table);
    }

    internal override void Release()
    {
        Pooled.Return(ref data);
        Pooled.Return(ref offsets);
        base.Release();
    }

    private ReadOnlySpan<byte> Value(int index) => data.AsSpan(offsets[index], offsets[index + 1] - offsets[index]);

    internal override long PlainBytes(int from, int to) => offsets[to] - offsets[from] + ((to - from) * 4L);

    internal override void WritePlain(int from, int to, ByteBuffer output)
    {
        var span = output.GetSpan((int)PlainBytes(from, to));
        var position = 0;
        for (var i = from; i < to; i++)
        {
            var value = Value(i);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[position..], value.Length);
            value.CopyTo(span[(position + 4)..]);
            position += 4 + value.Length;
        }

        output.Advance(position);
    }

    internal override bool TryBuildDictionary(int maxDictionaryBytes, int[] indices, out int entries, out long dictionaryBytes)
    {
        entries = 0;
        dictionaryBytes = 0;
        dictionaryCount = 0;
        var plainBytes = PlainBytes(0, ValueCount);
        Pooled.EnsureSize(ref dictionaryEntries, ValueCount);
        var capacity = FirstTableSize();
        NewTable(capacity);
        var mask = capacity - 1;
        var count = 0;
        long bytes = 0;
        ReadOnlySpan<byte> previous = default;
        for (var i = 0; i < ValueCount; i++)
        {
            if (i == DistinctSample && SampleLooksUnique(count))
            {
                return false;
            }

            var value = Value(i);

            // Neighbours often repeat (a constant column, one user's fields across a session): skip the hash.
            if (i > 0 && value.SequenceEqual(previous))
            {
                indices[i] = indices[i - 1];
                continue;
            }

            previous = value;

            var hash = ByteArrayHasher.Hash(value);
            var slot = hash & mask;
            while (true)
            {
                var entry = table[2 * slot];
                if (entry == 0)
                {
                    if ((count + 1) * 2 > capacity)
                    {
                        capacity *= 2;
                        Rehash(capacity);
                        mask = capacity - 1;
                        slot = hash & mask;
                        continue;
                    }

                    bytes += 4 + value.Length;
                    if (bytes > maxDictionaryBytes || CannotBeatPlain(count + 1, bytes, plainBytes))
                    {
                        return false;
                    }

                    dictionaryEntries[count] = i;
                    table[2 * slot] = ++count;
                    table[(2 * slot) + 1] = hash;
                    indices[i] = count - 1;
                    break;
                }

                if (table[(2 * slot) + 1] == hash && Value(dictionaryEntries[entry - 1]).SequenceEqual(value))
                {
                    indices[i] = entry - 1;
                    break;
                }

                slot = (slot + 1) & mask;
            }
        }

        dictionaryCount = count;
        entries = count;
        dictionaryBytes = bytes;
        return true;
    }

    /// <summary>An empty open-addressing table of (entry + 1, hash) pairs, side by side so a probe touches one cache line.</summary>
    private void NewTable(int capacity)
    {
        Pooled.EnsureSize(ref table, capacity * 2);
        table.AsSpan(0, capacity * 2).Clear();
    }

    private void Rehash(int capacity)
    {
        var old = table;
        var oldCapacity = capacity / 2;
        table = [];
        NewTable(capacity);
        var mask = capacity - 1;
        for (var s = 0; s < oldCapacity; s++)
        {
            if (old[2 * s] == 0)
            {
                continue;
            }

            var slot = old[(2 * s) + 1] & mask;
            while (table[2 * slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            table[2 * slot] = old[2 * s];
            table[(2 * slot) + 1] = old[(2 * s) + 1];
        }

        Pooled.Return(ref old);
    }

    internal override void WriteDictionary(ByteBuffer output)
    {
        for (var i = 0; i < dictionaryCount; i++)
        {
            var value = Value(dictionaryEntries[i]);
            var span = output.GetSpan(4 + value.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, value.Length);
            value.CopyTo(span[4..]);
            output.Advance(4 + value.Length);
        }
    }

    internal override (byte[] Min, byte[] Max)? MinMax()
    {
        if (ValueCount == 0)
        {
            return null;
        }

        // Unsigned byte-wise order (the STRING and BYTE_ARRAY type order); the dictionary, when built, has every distinct value.
        var useDictionary = dictionaryCount > 0;
        var n = useDictionary ? dictionaryCount : ValueCount;
        var minIndex = useDictionary ? dictionaryEntries[0] : 0;
        var maxIndex = minIndex;
        for (var k = 1; k < n; k++)
        {
            var index = useDictionary ? dictionaryEntries[k] : k;
            var value = Value(index);
            if (value.SequenceCompareTo(Value(minIndex)) < 0)
            {
                minIndex = index;
            }
            else if (value.SequenceCompareTo(Value(maxIndex)) > 0)
            {
                maxIndex = index;
            }
        }

        return (Value(minIndex).ToArray(), Value(maxIndex).ToArray());
    }
}
