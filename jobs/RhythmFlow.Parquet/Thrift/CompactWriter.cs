using System.Text;

namespace RhythmFlow.Parquet.Thrift;

/// <summary>Thrift compact-protocol field types, as they appear in the low nibble of a field header.</summary>
internal enum CompactType : byte
{
    Stop = 0,
    BooleanTrue = 1,
    BooleanFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
    Uuid = 13,
}

/// <summary>
/// Writes the Thrift compact protocol into a reusable growable buffer. Callers write fields in ascending id
/// order within a struct, which keeps every header in the short (delta) form.
/// </summary>
internal sealed class CompactWriter
{
    private readonly Stack<short> lastFieldIds = new();
    private byte[] buffer;
    private short lastFieldId;

    public CompactWriter(int capacity = 256) => buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, Length);

    public void Reset()
    {
        Length = 0;
        lastFieldId = 0;
        lastFieldIds.Clear();
    }

    public void StructBegin()
    {
        lastFieldIds.Push(lastFieldId);
        lastFieldId = 0;
    }

    public void StructEnd()
    {
        WriteByte(0);
        lastFieldId = lastFieldIds.Pop();
    }

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, CompactType.I32);
        WriteVarint(ZigZag(value));
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, CompactType.I64);
        WriteVarint(ZigZag(value));
    }

    public void FieldByte(short id, sbyte value)
    {
        FieldHeader(id, CompactType.Byte);
        WriteByte((byte)value);
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? CompactType.BooleanTrue : CompactType.BooleanFalse);

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, CompactType.Binary);
        Binary(value);
    }

    public void FieldString(short id, string value)
    {
        FieldHeader(id, CompactType.Binary);
        String(value);
    }

    /// <summary>Starts a struct-typed field; close it with <see cref="StructEnd"/>.</summary>
    public void FieldStructBegin(short id)
    {
        FieldHeader(id, CompactType.Struct);
        StructBegin();
    }

    public void FieldListBegin(short id, CompactType elementType, int count)
    {
        FieldHeader(id, CompactType.List);
        ListBegin(elementType, count);
    }

    public void ListBegin(CompactType elementType, int count)
    {
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | (byte)elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | (byte)elementType));
            WriteVarint((uint)count);
        }
    }

    public void I32(int value) => WriteVarint(ZigZag(value));

    public void String(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint((uint)byteCount);
        Ensure(byteCount);
        Length += Encoding.UTF8.GetBytes(value, buffer.AsSpan(Length));
    }

    public void Binary(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        Ensure(value.Length);
        value.CopyTo(buffer.AsSpan(Length));
        Length += value.Length;
    }

    private void FieldHeader(short id, CompactType type)
    {
        var delta = id - lastFieldId;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            WriteByte((byte)type);
            WriteVarint(ZigZag((int)id));
        }

        lastFieldId = id;
    }

    private static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            buffer[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[Length++] = (byte)value;
    }

    private void WriteByte(byte value)
    {
        Ensure(1);
        buffer[Length++] = value;
    }

    private void Ensure(int extra)
    {
        if (Length + extra > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, Length + extra));
        }
    }
}
