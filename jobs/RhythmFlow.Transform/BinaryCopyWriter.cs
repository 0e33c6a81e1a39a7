using System.Buffers.Binary;

namespace RhythmFlow.Transform;

/// <summary>
/// Frames PostgreSQL's binary COPY format (header, tuples the caller encodes, trailer) in a buffer that goes to the
/// raw COPY stream when full.
/// </summary>
internal sealed class BinaryCopyWriter(Stream copy)
{
    // "PGCOPY\n\377\r\n\0"; 0xFF is one byte here, not a UTF-8 character.
    private static readonly byte[] Signature = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    private byte[] _buffer = new byte[1024 * 1024];
    private int _position;

    public void WriteHeader()
    {
        Reserve(Signature.Length + 8);
        Signature.CopyTo(_buffer, _position);
        _position += Signature.Length;
        WriteInt32(0); // flags: no OIDs
        WriteInt32(0); // header extension length
    }

    /// <summary>A span of at least <paramref name="bytes"/> to fill; <see cref="Advance"/> then says how much was written.</summary>
    public Span<byte> GetSpan(int bytes)
    {
        Reserve(bytes);
        if (bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, bytes);
        }

        return _buffer.AsSpan(_position, bytes);
    }

    public void Advance(int bytes) => _position += bytes;

    /// <summary>Writes the trailer and sends what is buffered; the caller then completes the COPY.</summary>
    public void Finish()
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), -1);
        _position += 2;
        Flush();
    }

    private void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    private void Reserve(int bytes)
    {
        if (_position + bytes > _buffer.Length)
        {
            Flush();
        }
    }

    private void Flush()
    {
        copy.Write(_buffer, 0, _position);
        _position = 0;
    }
}
