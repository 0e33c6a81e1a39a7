using System.Buffers;

namespace RhythmFlow.Parquet.Writing;

/// <summary>
/// A growable byte buffer for page bodies and dictionary pages. It rents from <see cref="ArrayPool{T}.Shared"/> and
/// gives the array back on <see cref="Release"/> after each row group, so an open writer holds no page-sized buffer
/// between row groups and the next row group or file on the same thread reuses the array without zeroing it.
/// </summary>
internal sealed class ByteBuffer
{
    private const int MinimumSize = 4096;

    private byte[] buffer = [];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Returns at least <paramref name="size"/> writable bytes at the end; call <see cref="Advance"/> after writing.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (Length + size > buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(Math.Max((long)buffer.Length * 2, (long)Length + size), MinimumSize)));
            Written.CopyTo(bigger);
            Release(keepLength: true);
            buffer = bigger;
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

    /// <summary>Gives the array back to the pool; the buffer stays usable and rents again when written to.</summary>
    public void Release() => Release(keepLength: false);

    private void Release(bool keepLength)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }

        if (!keepLength)
        {
            Length = 0;
        }
    }
}
