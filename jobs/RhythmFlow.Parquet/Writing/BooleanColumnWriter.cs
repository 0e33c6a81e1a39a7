namespace RhythmFlow.Parquet.Writing;

/// <summary>Buffers BOOLEAN values; always written PLAIN (bit-packed), which beats a two-entry dictionary.</summary>
public sealed class BooleanColumnWriter : ParquetColumnWriter
{
    private bool[] values = System.Buffers.ArrayPool<bool>.Shared.Rent(InitialCapacity);

    internal BooleanColumnWriter(ParquetColumn column)
        : base(column)
    {
        if (column.PhysicalType != ParquetPhysicalType.Boolean)
        {
            throw new InvalidOperationException($"Column '{column.Name}' is {column.PhysicalType}, not BOOLEAN.");
        }
    }

    internal override long BufferedBytes => ValueCount + Count;

    internal override bool SupportsDictionary => false;

    internal override void Release()
    {
        Pooled.Return(ref values);
        base.Release();
    }

    public void Append(bool value)
    {
        var index = ValueCount;
        if (index == values.Length)
        {
            Pooled.Grow(ref values, index + 1, index);
        }

        values[index] = value;
        Defined();
    }

    public void Append(bool? value)
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

    internal override long PlainBytes(int from, int to) => (to - from + 7) / 8;

    internal override void WritePlain(int from, int to, ByteBuffer output)
    {
        var length = (int)PlainBytes(from, to);
        var span = output.GetSpan(length)[..length];
        span.Clear();
        for (var i = from; i < to; i++)
        {
            if (values[i])
            {
                span[(i - from) >> 3] |= (byte)(1 << ((i - from) & 7));
            }
        }

        output.Advance(length);
    }

    internal override bool TryBuildDictionary(int maxDictionaryBytes, int[] indices, out int entries, out long dictionaryBytes) =>
        throw new NotSupportedException("BOOLEAN columns are written PLAIN.");

    internal override void WriteDictionary(ByteBuffer output) => throw new NotSupportedException("BOOLEAN columns are written PLAIN.");

    internal override (byte[] Min, byte[] Max)? MinMax()
    {
        if (ValueCount == 0)
        {
            return null;
        }

        var span = values.AsSpan(0, ValueCount);
        var anyFalse = span.Contains(false);
        var anyTrue = span.Contains(true);
        return ([(byte)(anyFalse ? 0 : 1)], [(byte)(anyTrue ? 1 : 0)]);
    }
}
