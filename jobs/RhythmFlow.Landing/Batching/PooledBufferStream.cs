using System.Buffers;

namespace RhythmFlow.Landing.Batching;

/// <summary>
/// A write-only in-memory stream over pooled segments. A batch over a backlog encodes thousands of small files; a
/// MemoryStream per file would double its array up to the file's size (the last copies on the large-object heap) and
/// leave all of it to the garbage collector, while these segments go back to the pool once the file is written out.
/// </summary>
internal sealed class PooledBufferStream : Stream
{
    private const int SegmentBytes = 64 * 1024;

    private readonly List<byte[]> segments = [];
    private int lastUsed = SegmentBytes;
    private long length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => length;

    public override long Position
    {
        get => length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (lastUsed == SegmentBytes)
            {
                segments.Add(ArrayPool<byte>.Shared.Rent(SegmentBytes));
                lastUsed = 0;
            }

            var count = Math.Min(buffer.Length, SegmentBytes - lastUsed);
            buffer[..count].CopyTo(segments[^1].AsSpan(lastUsed));
            lastUsed += count;
            length += count;
            buffer = buffer[count..];
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Writes everything written so far to <paramref name="destination"/>, in order.</summary>
    public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            var used = i == segments.Count - 1 ? lastUsed : SegmentBytes;
            await destination.WriteAsync(segments[i].AsMemory(0, used), cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        foreach (var segment in segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        segments.Clear();
        lastUsed = SegmentBytes;
        base.Dispose(disposing);
    }
}
