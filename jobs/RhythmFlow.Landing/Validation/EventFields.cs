using System.Buffers;
using System.Buffers.Text;
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
/// The top-level fields of one event, read in a single pass without allocating (a plain scan of the bytes for the
/// shape producers write, else <see cref="Utf8JsonReader"/>): values are located in the message, decoded only when a
/// keyword needs the text. Reused message after message.
/// </summary>
internal sealed class EventFields
{
    // What ends a plain string: its closing quote, or what the plain scan leaves to the reader (an escape, a control character).
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

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
        var raw = message.Span.Slice(value.Start, value.Length);
        if (!value.HasEscapes)
        {
            return raw;
        }

        var into = UnescapeBuffer(value.Length);

        // Producers escape quotes and the like (eventsim quotes its user agents), rarely anything as \u: those
        // two-character escapes are resolved here, anything else by the reader (which also checks surrogate pairs).
        if (raw.IndexOf("\\u"u8) < 0)
        {
            return into[..UnescapeShort(raw, into)];
        }

        var reader = new Utf8JsonReader(message.Span.Slice(value.Start - 1, value.Length + 2));
        reader.Read();
        return into[..reader.CopyString(into)];
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

    /// <summary>
    /// Reads <paramref name="json"/>, which must be valid UTF-8 (the validator checks that first); returns null when
    /// it is one well-formed JSON object, else why not.
    /// </summary>
    // When the plain scan gives up, the reader starts a new generation: what the scan recorded belongs to no message.
    public Violation? Parse(ReadOnlyMemory<byte> json) => TryParsePlain(json) ? null : ParseWithReader(json);

    /// <summary>
    /// The general path: every well-formed or malformed message, with <see cref="Utf8JsonReader"/> deciding. Internal so
    /// that a test can hold <see cref="TryParsePlain"/> to exactly its results.
    /// </summary>
    internal Violation? ParseWithReader(ReadOnlyMemory<byte> json)
    {
        Start(json);
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
                if (values[index].HasEscapes && !HasValidUnicodeEscapes(ref reader))
                {
                    return new Violation("json", $"$.{schema.PropertyNames[index]}", "a \\u escape is an unpaired UTF-16 surrogate");
                }
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

    /// <summary>
    /// Reads the shape producers write, a flat object of declared fields with unescaped strings, numbers and literals,
    /// in one pass over the bytes: Utf8JsonReader's general state machine costs more than the rest of validation.
    /// Returns false, having decided nothing, at the first byte outside that shape (an escape, a nested value, an
    /// unknown or repeated field, anything malformed), and the reader then reads the message from the start; so this
    /// accepts a subset of what the reader accepts and records the same values.
    /// </summary>
    internal bool TryParsePlain(ReadOnlyMemory<byte> message)
    {
        Start(message);
        var json = message.Span;
        var at = SkipWhitespace(json, 0);
        if (at >= json.Length || json[at] != (byte)'{')
        {
            return false;
        }

        at = SkipWhitespace(json, at + 1);
        if (at < json.Length && json[at] == (byte)'}')
        {
            return SkipWhitespace(json, at + 1) == json.Length;
        }

        var previous = -1;
        while (at < json.Length && json[at] == (byte)'"')
        {
            var nameEnd = EndOfPlainString(json, at + 1, out var escapedName);
            var index = nameEnd < 0 || escapedName ? -1 : IndexOfName(json[(at + 1)..nameEnd], previous);
            if (index < 0 || IsPresent(index))
            {
                return false;
            }

            at = SkipWhitespace(json, nameEnd + 1);
            if (at >= json.Length || json[at] != (byte)':')
            {
                return false;
            }

            at = ReadPlainValue(json, SkipWhitespace(json, at + 1), ref values[index]);
            if (at < 0)
            {
                return false;
            }

            presentIn[index] = generation;
            successor[previous + 1] = index;
            previous = index;
            at = SkipWhitespace(json, at);
            if (at < json.Length && json[at] == (byte)',')
            {
                at = SkipWhitespace(json, at + 1);
                continue;
            }

            return at < json.Length && json[at] == (byte)'}' && SkipWhitespace(json, at + 1) == json.Length;
        }

        return false;
    }

    /// <summary>
    /// The reader checks a \\u escape's four hex digits but pairs surrogates only when the text is decoded; a lone one
    /// would fail the writer later, so the message is refused here, with its field named.
    /// </summary>
    private bool HasValidUnicodeEscapes(ref Utf8JsonReader reader)
    {
        if (reader.ValueSpan.IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        try
        {
            reader.CopyString(UnescapeBuffer(reader.ValueSpan.Length));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Resolves the two-character escapes of a string that was read as well-formed JSON.</summary>
    private static int UnescapeShort(ReadOnlySpan<byte> raw, Span<byte> into)
    {
        var written = 0;
        for (var escape = raw.IndexOf((byte)'\\'); escape >= 0; escape = raw.IndexOf((byte)'\\'))
        {
            raw[..escape].CopyTo(into[written..]);
            written += escape;
            into[written++] = raw[escape + 1] switch
            {
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                (byte)'n' => (byte)'\n',
                (byte)'r' => (byte)'\r',
                (byte)'t' => (byte)'\t',
                var itself => itself,
            };
            raw = raw[(escape + 2)..];
        }

        raw.CopyTo(into[written..]);
        return written + raw.Length;
    }

    private void Start(ReadOnlyMemory<byte> json)
    {
        message = json;
        UnknownProperty = null;
        if (++generation == int.MaxValue)
        {
            generation = 1;
            Array.Clear(presentIn);
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int at)
    {
        while (at < json.Length && json[at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            at++;
        }

        return at;
    }

    /// <summary>
    /// Where the string starting at <paramref name="start"/> (after its quote) ends, or -1 unless it is plain: no
    /// control characters, and no escapes but the two-character ones (a \\u escape is left to the reader).
    /// </summary>
    private static int EndOfPlainString(ReadOnlySpan<byte> json, int start, out bool escaped)
    {
        escaped = false;
        var at = start;
        while (true)
        {
            var special = json[at..].IndexOfAny(StringSpecials);
            if (special < 0)
            {
                return -1;
            }

            at += special;
            if (json[at] == (byte)'"')
            {
                return at;
            }

            if (json[at] != (byte)'\\' || at + 1 >= json.Length || json[at + 1] is not ((byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t'))
            {
                return -1;
            }

            escaped = true;
            at += 2;
        }
    }

    /// <summary>Reads a string, number or literal at <paramref name="at"/>; returns where it ends, or -1 for anything else.</summary>
    private static int ReadPlainValue(ReadOnlySpan<byte> json, int at, ref FieldValue value)
    {
        if (at >= json.Length)
        {
            return -1;
        }

        switch (json[at])
        {
            case (byte)'"':
                var end = EndOfPlainString(json, at + 1, out var escaped);
                if (end < 0)
                {
                    return -1;
                }

                value.Kind = JsonTokenType.String;
                value.Types = CompiledEventSchema.JsonTypes.String;
                value.Start = at + 1;
                value.Length = end - at - 1;
                value.HasEscapes = escaped;
                return end + 1;
            case (byte)'t':
                return ReadLiteral(json, at, "true"u8, JsonTokenType.True, CompiledEventSchema.JsonTypes.Boolean, ref value);
            case (byte)'f':
                return ReadLiteral(json, at, "false"u8, JsonTokenType.False, CompiledEventSchema.JsonTypes.Boolean, ref value);
            case (byte)'n':
                return ReadLiteral(json, at, "null"u8, JsonTokenType.Null, CompiledEventSchema.JsonTypes.Null, ref value);
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                return ReadPlainNumber(json, at, ref value);
            default:
                return -1;
        }
    }

    private static int ReadLiteral(
        ReadOnlySpan<byte> json, int at, ReadOnlySpan<byte> literal, JsonTokenType kind, CompiledEventSchema.JsonTypes types, ref FieldValue value)
    {
        if (!json[at..].StartsWith(literal))
        {
            return -1;
        }

        value.Kind = kind;
        value.Types = types;
        return at + literal.Length;
    }

    /// <summary>A number by JSON's grammar, converted as <see cref="Read"/> converts it (the same parser); -1 otherwise.</summary>
    private static int ReadPlainNumber(ReadOnlySpan<byte> json, int start, ref FieldValue value)
    {
        var at = start;
        if (json[at] == (byte)'-')
        {
            at++;
        }

        if (at < json.Length && json[at] == (byte)'0')
        {
            at++;
        }
        else
        {
            var digits = SkipDigits(json, at);
            if (digits == at)
            {
                return -1;
            }

            at = digits;
        }

        var integral = true;
        if (at < json.Length && json[at] == (byte)'.')
        {
            integral = false;
            var digits = SkipDigits(json, at + 1);
            if (digits == at + 1)
            {
                return -1;
            }

            at = digits;
        }

        if (at < json.Length && json[at] is (byte)'e' or (byte)'E')
        {
            integral = false;
            at++;
            if (at < json.Length && json[at] is (byte)'+' or (byte)'-')
            {
                at++;
            }

            var digits = SkipDigits(json, at);
            if (digits == at)
            {
                return -1;
            }

            at = digits;
        }

        var raw = json[start..at];
        value.Kind = JsonTokenType.Number;
        if (integral)
        {
            // Out of long's range: the reader's path converts it to a double.
            if (!Utf8Parser.TryParse(raw, out long integer, out var used) || used != raw.Length)
            {
                return -1;
            }

            value.Integer = integer;
            value.Number = integer;
            value.Types = CompiledEventSchema.JsonTypes.Integer | CompiledEventSchema.JsonTypes.Number;
            return at;
        }

        if (!Utf8Parser.TryParse(raw, out double number, out var consumed) || consumed != raw.Length || !double.IsFinite(number))
        {
            return -1;
        }

        value.Number = number;
        value.Integer = 0;
        value.Types = CompiledEventSchema.JsonTypes.Number;
        return at;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int at)
    {
        while (at < json.Length && json[at] - (byte)'0' is >= 0 and <= 9)
        {
            at++;
        }

        return at;
    }

    private int IndexOfName(ReadOnlySpan<byte> name, int previous)
    {
        var expected = successor[previous + 1];
        if (expected >= 0 && name.SequenceEqual(schema.PropertyNamesUtf8[expected]))
        {
            return expected;
        }

        for (var i = 0; i < schema.PropertyNamesUtf8.Count; i++)
        {
            if (name.SequenceEqual(schema.PropertyNamesUtf8[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private int IndexOfName(ref Utf8JsonReader reader, int previous)
    {
        if (!reader.ValueIsEscaped)
        {
            return IndexOfName(reader.ValueSpan, previous);
        }

        return reader.ValueSpan.Length > nameBuffer.Length ? -1 : schema.IndexOf(nameBuffer.AsSpan(0, reader.CopyString(nameBuffer)));
    }

    /// <summary>The reused buffer for unescaped text; unescaping only shortens a string, so its escaped length is room enough.</summary>
    private Span<byte> UnescapeBuffer(int escapedLength)
    {
        if (unescaped.Length < escapedLength)
        {
            unescaped = new byte[Math.Max(escapedLength, unescaped.Length * 2)];
        }

        return unescaped.AsSpan(0, escapedLength);
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
