using System.Text;
using System.Text.Json;

namespace RhythmFlow.Landing.Validation;

/// <summary>One field of a parsed event: its JSON kind and where its value sits in the message bytes.</summary>
internal struct FieldValue
{
    public JsonTokenType Kind;
    public CompiledEventSchema.JsonTypes Types;
    public double Number;
    public long Integer;
    public int Start;
    public int Length;
    public bool HasEscapes;
}

/// <summary>
/// The top-level fields of one event, read in a single <see cref="Utf8JsonReader"/> pass without allocating:
/// values are located in the message, decoded only when a keyword needs the text. Reused message after message.
/// </summary>
internal sealed class EventFields
{
    private readonly CompiledEventSchema schema;
    private readonly FieldValue[] values;
    private readonly int[] presentIn;

    // successor[i + 1]: the field that followed field i in the last message (successor[0]: its first field). Producers write
    // their fields in a fixed order, so a name token is usually confirmed with one byte comparison, not decoded and hashed.
    private readonly int[] successor;
    private readonly char[] nameBuffer = new char[128];
    private char[] text = new char[128];
    private byte[] unescaped = new byte[256];
    private int generation;
    private ReadOnlyMemory<byte> message;

    public EventFields(CompiledEventSchema schema)
    {
        this.schema = schema;
        values = new FieldValue[schema.PropertyNames.Count];
        presentIn = new int[schema.PropertyNames.Count];
        successor = new int[schema.PropertyNames.Count + 1];
        Array.Fill(successor, -1);
    }

    /// <summary>The first field the schema does not declare, if any (decoded only when one occurs).</summary>
    public string? UnknownProperty { get; private set; }

    public bool IsPresent(int index) => presentIn[index] == generation;

    public ref readonly FieldValue Value(int index) => ref values[index];

    /// <summary>
    /// A string field's UTF-8 text with its JSON escapes resolved: the message's own bytes when it has none, else
    /// unescaped into a buffer reused message after message (valid until the next call).
    /// </summary>
    public ReadOnlySpan<byte> Utf8Of(in FieldValue value)
    {
        if (!value.HasEscapes)
        {
            return message.Span.Slice(value.Start, value.Length);
        }

        // Unescaping only shortens the text, so the escaped length is room enough.
        if (unescaped.Length < value.Length)
        {
            unescaped = new byte[Math.Max(value.Length, unescaped.Length * 2)];
        }

        var reader = new Utf8JsonReader(message.Span.Slice(value.Start - 1, value.Length + 2));
        reader.Read();
        return unescaped.AsSpan(0, reader.CopyString(unescaped));
    }

    /// <summary>
    /// The text of a string field as UTF-16, decoded into a buffer reused message after message (valid until the
    /// next call): pattern and minLength checks need the characters, not a string per field per message.
    /// </summary>
    public ReadOnlySpan<char> CharsOf(int index)
    {
        var utf8 = Utf8Of(in values[index]);
        if (text.Length < utf8.Length)
        {
            text = new char[Math.Max(utf8.Length, text.Length * 2)];
        }

        return text.AsSpan(0, Encoding.UTF8.GetChars(utf8, text));
    }

    /// <summary>Reads <paramref name="json"/>; returns null when it is one well-formed JSON object, else why not.</summary>
    public Violation? Parse(ReadOnlyMemory<byte> json)
    {
        message = json;
        UnknownProperty = null;
        if (++generation == int.MaxValue)
        {
            generation = 1;
            Array.Clear(presentIn);
        }

        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                if (reader.Read())
                {
                    return new Violation("json", "$", "unexpected content after the JSON value");
                }

                return new Violation("type", "$", $"must be an object, is {reader.TokenType}");
            }

            var previous = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = IndexOfName(ref reader, previous);
                var unknownName = index < 0 ? reader.GetString() : null;
                reader.Read();
                if (index < 0)
                {
                    UnknownProperty ??= unknownName;
                    reader.Skip();
                    continue;
                }

                if (IsPresent(index))
                {
                    return new Violation("json", $"$.{schema.PropertyNames[index]}", "the field appears twice");
                }

                presentIn[index] = generation;
                successor[previous + 1] = index;
                previous = index;
                Read(ref reader, ref values[index]);
            }

            if (reader.Read())
            {
                return new Violation("json", "$", "unexpected content after the JSON object");
            }

            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return new Violation("json", "$", $"not well-formed JSON at byte {reader.BytesConsumed}: {ex.Message}");
        }
    }

    private int IndexOfName(ref Utf8JsonReader reader, int previous)
    {
        var expected = successor[previous + 1];
        if (expected >= 0 && reader.ValueTextEquals(schema.PropertyNamesUtf8[expected]))
        {
            return expected;
        }

        return reader.HasValueSequence || reader.ValueSpan.Length > nameBuffer.Length
            ? -1
            : schema.IndexOf(nameBuffer.AsSpan(0, reader.CopyString(nameBuffer)));
    }

    private static void Read(ref Utf8JsonReader reader, ref FieldValue value)
    {
        value.Kind = reader.TokenType;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value.Types = CompiledEventSchema.JsonTypes.String;
                value.Start = (int)reader.TokenStartIndex + 1;
                value.Length = reader.ValueSpan.Length;
                value.HasEscapes = reader.ValueIsEscaped;
                break;
            case JsonTokenType.Number:
                var raw = reader.ValueSpan;
                var integral = raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;
                if (integral && reader.TryGetInt64(out var integer))
                {
                    value.Integer = integer;
                    value.Number = integer;
                }
                else
                {
                    value.Number = reader.GetDouble();
                    value.Integer = 0;
                }

                value.Types = integral
                    ? CompiledEventSchema.JsonTypes.Integer | CompiledEventSchema.JsonTypes.Number
                    : CompiledEventSchema.JsonTypes.Number;
                break;
            case JsonTokenType.True or JsonTokenType.False:
                value.Types = CompiledEventSchema.JsonTypes.Boolean;
                break;
            case JsonTokenType.Null:
                value.Types = CompiledEventSchema.JsonTypes.Null;
                break;
            case JsonTokenType.StartObject:
                value.Types = CompiledEventSchema.JsonTypes.Object;
                reader.Skip();
                break;
            default:
                value.Types = CompiledEventSchema.JsonTypes.Array;
                reader.Skip();
                break;
        }
    }
}
