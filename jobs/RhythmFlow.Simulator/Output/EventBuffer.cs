using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace RhythmFlow.Simulator.Output;

/// <summary>
/// A shard's events for one window, as records in one pooled byte array:
/// <c>[ts seconds:8][user key:8][topic:1][length:4][compact JSON]</c>. Reused window after window, so the
/// steady state allocates nothing per event.
/// </summary>
internal sealed class EventBuffer : IDisposable
{
    public const int HeaderSize = 21;
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _length;
    private int _recordStart;

    /// <summary>Read position for the merge.</summary>
    public int ReadPosition { get; set; }

    public bool HasUnread => ReadPosition < _length;

    /// <summary>Where the next byte goes, to mark a fragment that later records of the same step copy.</summary>
    public int Position => _length;

    public long PeekTs => BinaryPrimitives.ReadInt64LittleEndian(_bytes.AsSpan(ReadPosition));

    public void Clear()
    {
        _length = 0;
        ReadPosition = 0;
    }

    /// <summary>Starts a record; <paramref name="maxBytes"/> bounds its JSON so the writes below need no checks.</summary>
    public void Begin(long ts, long userKey, byte topic, int maxBytes)
    {
        var needed = _length + HeaderSize + maxBytes;
        if (needed > _bytes.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _bytes.Length * 2));
            _bytes.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = bigger;
        }

        _recordStart = _length;
        var header = _bytes.AsSpan(_length, HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(header, ts);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], userKey);
        header[16] = topic;
        _length += HeaderSize;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_bytes.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Append(byte b) => _bytes[_length++] = b;

    /// <summary>Appends a copy of bytes already written (a fragment of an earlier record in this buffer).</summary>
    public void AppendWritten(int start, int length)
    {
        _bytes.AsSpan(start, length).CopyTo(_bytes.AsSpan(_length));
        _length += length;
    }

    public void Append(long number)
    {
        Utf8Formatter.TryFormat(number, _bytes.AsSpan(_length), out var written);
        _length += written;
    }

    /// <summary>Appends epoch seconds as epoch milliseconds: eventsim's clock is whole seconds, so ts always ends in 000.</summary>
    public void AppendMillis(long seconds)
    {
        Append(seconds);
        "000"u8.CopyTo(_bytes.AsSpan(_length));
        _length += 3;
    }

    public void End() =>
        BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(_recordStart + 17), _length - _recordStart - HeaderSize);

    /// <summary>Reads the record at the read position and moves past it.</summary>
    public ReadOnlySpan<byte> Read(out long userKey, out byte topic)
    {
        var header = _bytes.AsSpan(ReadPosition, HeaderSize);
        userKey = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        topic = header[16];
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[17..]);
        var json = _bytes.AsSpan(ReadPosition + HeaderSize, length);
        ReadPosition += HeaderSize + length;
        return json;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = [];
    }
}
