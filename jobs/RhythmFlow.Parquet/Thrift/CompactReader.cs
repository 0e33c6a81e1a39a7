using System.Text;

namespace RhythmFlow.Parquet.Thrift;

/// <summary>
/// Reads the Thrift compact protocol from a bounded buffer. Every length and count is checked against the bytes
/// left, so corrupt metadata fails with a <see cref="ParquetFormatException"/> instead of a huge allocation or a hang.
/// </summary>
internal ref struct CompactReader
{
    private const int MaxDepth = 64;
    private readonly ReadOnlySpan<byte> data;
    private readonly long baseOffset;
    private Span<short> lastIds;
    private int depth;
    private short lastFieldId;

    /// <param name="data">The Thrift bytes.</param>
    /// <param name="baseOffset">File offset of <paramref name="data"/>[0], for error messages.</param>
    /// <param name="idStack">Scratch space for nested field ids (at least 64 entries).</param>
    public CompactReader(ReadOnlySpan<byte> data, long baseOffset, Span<short> idStack)
    {
        this.data = data;
        this.baseOffset = baseOffset;
        lastIds = idStack;
    }

    public int Position { get; private set; }

    public readonly long FileOffset => baseOffset + Position;

    public void StructBegin()
    {
        if (depth >= MaxDepth)
        {
            throw Fail("Thrift structs nested too deeply");
        }

        lastIds[depth++] = lastFieldId;
        lastFieldId = 0;
    }

    public void StructEnd() => lastFieldId = lastIds[--depth];

    /// <summary>Reads the next field header; false at the struct's stop byte.</summary>
    public bool NextField(out CompactType type, out short id)
    {
        var header = ReadByte();
        if (header == 0)
        {
            type = CompactType.Stop;
            id = 0;
            return false;
        }

        type = (CompactType)(header & 0x0F);
        if (type > CompactType.Uuid)
        {
            throw Fail($"bad Thrift field type {(int)type}");
        }

        var delta = header >> 4;
        id = delta != 0 ? (short)(lastFieldId + delta) : checked((short)ReadZigZag32());
        lastFieldId = id;
        return true;
    }

    public int ReadI32(CompactType type)
    {
        Expect(type, CompactType.I32);
        return ReadZigZag32();
    }

    public long ReadI64(CompactType type)
    {
        Expect(type, CompactType.I64);
        var raw = ReadVarint64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public sbyte ReadByte(CompactType type)
    {
        Expect(type, CompactType.Byte);
        return (sbyte)ReadByte();
    }

    public readonly bool ReadBool(CompactType type) => type switch
    {
        CompactType.BooleanTrue => true,
        CompactType.BooleanFalse => false,
        _ => throw Fail($"expected a Thrift boolean, found type {type}"),
    };

    public ReadOnlySpan<byte> ReadBinary(CompactType type)
    {
        Expect(type, CompactType.Binary);
        var length = ReadLength();
        var value = data.Slice(Position, length);
        Position += length;
        return value;
    }

    public string ReadString(CompactType type)
    {
        var bytes = ReadBinary(type);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw Fail("Thrift string is not valid UTF-8", ex);
        }
    }

    /// <summary>Reads a list header; the count is bounded by the bytes left (every element takes at least one byte).</summary>
    public int ReadListBegin(CompactType type, out CompactType elementType)
    {
        Expect(type, CompactType.List);
        return ReadListHeader(out elementType);
    }

    public int ReadListElementI32(CompactType elementType)
    {
        Expect(elementType, CompactType.I32);
        return ReadZigZag32();
    }

    public void ExpectStruct(CompactType type) => Expect(type, CompactType.Struct);

    public void Skip(CompactType type)
    {
        switch (type)
        {
            case CompactType.BooleanTrue:
            case CompactType.BooleanFalse:
                return;
            case CompactType.Byte:
                ReadByte();
                return;
            case CompactType.I16:
            case CompactType.I32:
            case CompactType.I64:
                ReadVarint64();
                return;
            case CompactType.Double:
                Advance(8);
                return;
            case CompactType.Uuid:
                Advance(16);
                return;
            case CompactType.Binary:
                Advance(ReadLength());
                return;
            case CompactType.List:
            case CompactType.Set:
                {
                    var count = ReadListHeader(out var elementType);
                    for (var i = 0; i < count; i++)
                    {
                        SkipElement(elementType);
                    }

                    return;
                }

            case CompactType.Map:
                {
                    var count = (int)ReadVarint32();
                    if (count == 0)
                    {
                        return;
                    }

                    CheckCount(count);
                    var kinds = ReadByte();
                    for (var i = 0; i < count; i++)
                    {
                        SkipElement((CompactType)(kinds >> 4));
                        SkipElement((CompactType)(kinds & 0x0F));
                    }

                    return;
                }

            case CompactType.Struct:
                StructBegin();
                while (NextField(out var fieldType, out _))
                {
                    Skip(fieldType);
                }

                StructEnd();
                return;
            default:
                throw Fail($"bad Thrift type {(int)type}");
        }
    }

    public readonly ParquetFormatException Fail(string reason, Exception? inner = null) =>
        new(reason, offset: FileOffset, inner: inner);

    private void SkipElement(CompactType elementType)
    {
        // Inside lists, booleans take one byte each instead of living in a field header.
        if (elementType is CompactType.BooleanTrue or CompactType.BooleanFalse)
        {
            ReadByte();
        }
        else
        {
            Skip(elementType);
        }
    }

    private int ReadListHeader(out CompactType elementType)
    {
        var header = ReadByte();
        elementType = (CompactType)(header & 0x0F);
        var count = header >> 4;
        if (count == 15)
        {
            count = (int)Math.Min(ReadVarint32(), int.MaxValue);
        }

        CheckCount(count);
        return count;
    }

    private readonly void CheckCount(int count)
    {
        if (count < 0 || count > data.Length - Position)
        {
            throw Fail($"Thrift collection of {count} elements does not fit in the {data.Length - Position} bytes left");
        }
    }

    private readonly void Expect(CompactType actual, CompactType expected)
    {
        if (actual != expected)
        {
            throw Fail($"expected Thrift type {expected}, found {actual}");
        }
    }

    private int ReadLength()
    {
        var length = ReadVarint32();
        if (length > (uint)(data.Length - Position))
        {
            throw Fail($"Thrift binary of {length} bytes does not fit in the {data.Length - Position} bytes left");
        }

        return (int)length;
    }

    private int ReadZigZag32()
    {
        var raw = ReadVarint32();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    private uint ReadVarint32()
    {
        var raw = ReadVarint64();
        if (raw > uint.MaxValue)
        {
            throw Fail("bad varint: value does not fit in 32 bits");
        }

        return (uint)raw;
    }

    private ulong ReadVarint64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Fail("bad varint: more than 10 bytes");
    }

    private byte ReadByte()
    {
        if (Position >= data.Length)
        {
            throw Fail("Thrift metadata ends early (truncated)");
        }

        return data[Position++];
    }

    private void Advance(int count)
    {
        if (count > data.Length - Position)
        {
            throw Fail("Thrift metadata ends early (truncated)");
        }

        Position += count;
    }
}
