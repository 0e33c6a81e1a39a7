using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace RhythmFlow.Simulator.Output;

/// <summary>
/// A shard's events for one window: their compact JSON back to back in one pooled byte array, and beside it
/// an index of fixed-size records (ts seconds, user key, topic, where the JSON is). The merge reads only the
/// index, sequentially, so it touches a few bytes per event instead of a cache line of JSON written by another
/// core. Reused window after window, so the steady state allocates nothing per event.
/// </summary>
internal sealed class EventBuffer : IDisposable
{
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(1 << 16);
    private Record[] _records = ArrayPool<Record>.Shared.Rent(256);
    private int _length;
    private int _count;
    private int _read;

    public bool HasUnread => _read < _count;

    /// <summary>Where the next byte goes, to mark a fragment that later records of the same step copy.</summary>
    public int Position => _length;

    public long PeekTs => _records[_read].Ts;

    public void Clear()
    {
        _length = 0;
        _count = 0;
        _read = 0;
    }

    /// <summary>Starts a record; <paramref name="maxBytes"/> bounds its JSON so the writes below need no checks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Begin(long ts, long userKey, byte topic, int maxBytes)
    {
        if (_length + maxBytes > _bytes.Length)
        {
            _bytes = Grow(_bytes, _length, _length + maxBytes);
        }

        if (_count == _records.Length)
        {
            _records = Grow(_records, _count, _count + 1);
        }

        _records[_count] = new Record { Ts = ts, UserKey = userKey, Start = _length, Topic = topic };
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(long number)
    {
        Utf8Formatter.TryFormat(number, _bytes.AsSpan(_length), out var written);
        _length += written;
    }

    /// <summary>Appends epoch seconds as epoch milliseconds: eventsim's clock is whole seconds, so ts always ends in 000.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AppendMillis(long seconds)
    {
        Append(seconds);
        "000"u8.CopyTo(_bytes.AsSpan(_length));
        _length += 3;
    }

    public void End()
    {
        ref var record = ref _records[_count++];
        record.Length = _length - record.Start;
    }

    /// <summary>Reads the record at the read position and moves past it.</summary>
    public ReadOnlySpan<byte> Read(out long userKey, out byte topic)
    {
        ref readonly var record = ref _records[_read++];
        userKey = record.UserKey;
        topic = record.Topic;
        return _bytes.AsSpan(record.Start, record.Length);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<Record>.Shared.Return(_records);
        _bytes = [];
        _records = [];
    }

    private static T[] Grow<T>(T[] array, int used, int needed)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(needed, array.Length * 2));
        array.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(array);
        return bigger;
    }

    private struct Record
    {
        public long Ts;
        public long UserKey;
        public int Start;
        public int Length;
        public byte Topic;
    }
}
