using System.Runtime.CompilerServices;
using System.Text;

namespace RhythmFlow.Parquet.Writing;

/// <summary>Buffers BYTE_ARRAY values (UTF-8 for STRING columns) in one byte buffer plus offsets: no per-value objects.</summary>
public sealed class ByteArrayColumnWriter : ParquetColumnWriter
{
    private byte[] data = new byte[InitialCapacity * 16];
    private int[] offsets = new int[InitialCapacity + 1];
    private int[] dictionaryEntries = [];
    private int dictionaryCount;

    internal ByteArrayColumnWriter(ParquetColumn column)
        : base(column)
    {
        if (column.PhysicalType != ParquetPhysicalType.ByteArray)
        {
            throw new InvalidOperationException($"Column '{column.Name}' is {column.PhysicalType}, not BYTE_ARRAY.");
        }
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
            Array.Resize(ref data, (int)Math.Min(Array.MaxLength, Math.Max(data.Length * 2L, (long)end + maxLength)));
        }

        return data.AsSpan(end, maxLength);
    }

    /// <summary>Completes a value written into <see cref="Reserve"/>'s span.</summary>
    public void Commit(int length)
    {
        var index = ValueCount;
        if (index + 1 == offsets.Length)
        {
            Array.Resize(ref offsets, offsets.Length * 2);
        }

        offsets[index + 1] = offsets[index] + length;
        Defined();
    }

    internal override void Reset()
    {
        base.Reset();
        dictionaryCount = 0;
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
        dictionaryCount = 0;
        var capacity = 16;
        while (capacity < Math.Min(ValueCount, 1 << 20) * 2)
        {
            capacity <<= 1;
        }

        var table = new int[capacity];
        var hashes = new int[capacity];
        var mask = capacity - 1;
        if (dictionaryEntries.Length < ValueCount)
        {
            dictionaryEntries = new int[ValueCount];
        }

        var count = 0;
        long bytes = 0;
        for (var i = 0; i < ValueCount; i++)
        {
            var value = Value(i);
            var hash = ByteArrayHasher.Hash(value);
            var slot = hash & mask;
            while (true)
            {
                var entry = table[slot];
                if (entry == 0)
                {
                    bytes += 4 + value.Length;
                    if (bytes > maxDictionaryBytes)
                    {
                        entries = 0;
                        dictionaryBytes = 0;
                        return false;
                    }

                    if (count * 2 >= capacity)
                    {
                        (table, hashes, capacity) = Rehash(table, hashes, capacity * 2);
                        mask = capacity - 1;
                        slot = hash & mask;
                        continue;
                    }

                    dictionaryEntries[count] = i;
                    table[slot] = ++count;
                    hashes[slot] = hash;
                    indices[i] = count - 1;
                    break;
                }

                if (hashes[slot] == hash && Value(dictionaryEntries[entry - 1]).SequenceEqual(value))
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

    private static (int[] Table, int[] Hashes, int Capacity) Rehash(int[] table, int[] hashes, int capacity)
    {
        var newTable = new int[capacity];
        var newHashes = new int[capacity];
        var mask = capacity - 1;
        for (var s = 0; s < table.Length; s++)
        {
            if (table[s] == 0)
            {
                continue;
            }

            var slot = hashes[s] & mask;
            while (newTable[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            newTable[slot] = table[s];
            newHashes[slot] = hashes[s];
        }

        return (newTable, newHashes, capacity);
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
