namespace RhythmFlow.Parquet.Writing;

/// <summary>A reusable growable byte buffer for page bodies and dictionary pages.</summary>
internal sealed class ByteBuffer(int capacity = 4096)
{
    private byte[] buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Returns at least <paramref name="size"/> writable bytes at the end; call <see cref="Advance"/> after writing.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (Length + size > buffer.Length)
        {
            Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)buffer.Length * 2, (long)Length + size)));
        }

        return buffer.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Length++;
    }

    /// <summary>Overwrites bytes already written (e.g. a length prefix reserved earlier).</summary>
    public Span<byte> WrittenSpan(int start, int length) => buffer.AsSpan(start, length);
}
