using System.Text;
using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Tests;

public sealed class EventFieldsTests
{
    // Bytes that end, break or change a JSON token, written over every position of an event.
    private static readonly byte[] Replacements = [.. "\"\\,:{}[] \n0-.eE+tnx"u8, 0x01, 0x7F, 0xC3, 0xE6, 0xFF];

    public static TheoryData<string> AllTopics() => [.. Topics.All];

    /// <summary>Events as producers write them, and the same with the whitespace, numbers and text that JSON allows.</summary>
    private static IEnumerable<string> Events(string topic)
    {
        var valid = SampleEvents.For(topic);
        yield return valid.ToJsonString();
        yield return valid.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        yield return " \t\r\n" + valid.ToJsonString().Replace(",", " ,\n\t", StringComparison.Ordinal).Replace(":", " : ", StringComparison.Ordinal) + "\r\n";
        yield return valid.ToJsonString().Replace("-82.4", "-8.24E1", StringComparison.Ordinal).Replace("28.06", "2806e-2", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("\"sessionId\":1", "\"sessionId\":-0", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("\"sessionId\":1", "\"sessionId\":92233720368547758070", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("\"sessionId\":1", "\"sessionId\":1e400", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("Tampa", "São Paulo 東京", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("Tampa", "T\\u0061mpa\\n", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("Mozilla/5.0 (Windows NT 6.1; WOW64)", "\\\"Mozilla\\/5.0\\t(Windows)\\b\\f\\n\\r\\\\\\\"", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("Mozilla/5.0 (Windows NT 6.1; WOW64)", "\\\\u0041 \\u00e9\\ud83d\\ude00 \\\"", StringComparison.Ordinal);
        yield return valid.ToJsonString().Replace("\"Tampa\"", "null", StringComparison.Ordinal).Replace("\"FL\"", "[\"FL\"]", StringComparison.Ordinal);
        yield return "{}";
        yield return "[]";
    }

    /// <summary>
    /// Every event above, every prefix of it, and it with each byte position overwritten by each replacement; only
    /// valid UTF-8, as the validator checks that before it parses.
    /// </summary>
    private static IEnumerable<byte[]> Corpus(string topic) => MutatedEvents(topic).Where(m => System.Text.Unicode.Utf8.IsValid(m));

    private static IEnumerable<byte[]> MutatedEvents(string topic)
    {
        foreach (var text in Events(topic))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            yield return bytes;
            for (var length = 0; length < bytes.Length; length++)
            {
                yield return bytes[..length];
            }

            for (var at = 0; at < bytes.Length; at++)
            {
                foreach (var replacement in Replacements)
                {
                    var mutant = (byte[])bytes.Clone();
                    mutant[at] = replacement;
                    yield return mutant;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllTopics))]
    public void Parse_ProducerShapedAndMutatedMessages_RecordsWhatTheReaderRecords(string topic)
    {
        // Given
        var schema = EventValidator.SchemaOf(topic);
        var parsed = new EventFields(schema);
        var read = new EventFields(schema);
        var disagreements = new List<string>();
        var plain = 0;
        var messages = 0;

        // When
        foreach (var message in Corpus(topic))
        {
            messages++;
            var violation = parsed.Parse(message);
            plain += violation is null && new EventFields(schema).TryParsePlain(message) ? 1 : 0;
            var expected = read.ParseWithReader(message);
            if (Describe(violation, parsed, schema) is var got && Describe(expected, read, schema) is var want && got != want)
            {
                disagreements.Add($"{Encoding.UTF8.GetString(message)}\n  parse:  {got}\n  reader: {want}");
            }

            if (violation is null && MisreadText(message, parsed, schema) is { } misread)
            {
                disagreements.Add($"{Encoding.UTF8.GetString(message)}\n  {misread}");
            }
        }

        // Then
        disagreements.Take(5).ShouldBeEmpty();
        plain.ShouldBeGreaterThan(messages / 10, "the plain scan must take most well-formed messages, or it is never what runs");
    }

    [Theory]
    [MemberData(nameof(AllTopics))]
    public void TryParsePlain_EventAsProducersWriteIt_TakesIt(string topic)
    {
        var fields = new EventFields(EventValidator.SchemaOf(topic));

        fields.TryParsePlain(SampleEvents.Bytes(SampleEvents.For(topic))).ShouldBeTrue();
    }

    [Theory]
    [InlineData("{\"ts\":1,\"ts\":2}")]
    [InlineData("{\"ts\":1,\"unknown\":2}")]
    [InlineData("{\"city\":\"T\\u0061mpa\"}")]
    [InlineData("{\"ci\\ty\":\"Tampa\"}")]
    [InlineData("{\"city\":\"Ta\\mpa\"}")]
    [InlineData("{\"city\":{\"name\":\"Tampa\"}}")]
    [InlineData("{\"ts\":1,}")]
    [InlineData("{\"ts\":01}")]
    [InlineData("{\"ts\":1} x")]
    public void TryParsePlain_OutsideThePlainShape_LeavesItToTheReader(string json)
    {
        var fields = new EventFields(EventValidator.SchemaOf(Topics.PageView));

        fields.TryParsePlain(Encoding.UTF8.GetBytes(json)).ShouldBeFalse();
    }

    /// <summary>The first string field whose text (escapes resolved) differs from what System.Text.Json decodes.</summary>
    [Theory]
    [InlineData("{\"city\":\"\\ud800\"}")]
    [InlineData("{\"city\":\"x\\ude00y\"}")]
    [InlineData("{\"city\":\"\\ud83d\\u0041\"}")]
    public void Parse_LoneSurrogateEscape_RefusesItNamingTheField(string json)
    {
        var fields = new EventFields(EventValidator.SchemaOf(Topics.PageView));

        var violation = fields.Parse(Encoding.UTF8.GetBytes(json));

        violation.ShouldNotBeNull();
        violation.Keyword.ShouldBe("json");
        violation.Path.ShouldBe("$.city");
    }

    private static string? MisreadText(byte[] message, EventFields fields, CompiledEventSchema schema)
    {
        using var document = JsonDocument.Parse(message);
        for (var i = 0; i < schema.PropertyNames.Count; i++)
        {
            if (fields.IsPresent(i) && fields.Value(i).Kind == JsonTokenType.String
                && Encoding.UTF8.GetString(fields.Utf8Of(fields.Value(i))) is var text
                && document.RootElement.GetProperty(schema.PropertyNames[i]).GetString() is var decoded && text != decoded)
            {
                return $"{schema.PropertyNames[i]}: '{text}', System.Text.Json: '{decoded}'";
            }
        }

        return null;
    }

    private static string Describe(Violation? violation, EventFields fields, CompiledEventSchema schema)
    {
        if (violation is not null)
        {
            return $"{violation.Keyword} at {violation.Path}";
        }

        var described = new StringBuilder($"unknown={fields.UnknownProperty}");
        for (var i = 0; i < schema.PropertyNames.Count; i++)
        {
            if (!fields.IsPresent(i))
            {
                continue;
            }

            var value = fields.Value(i);
            described.Append($" {schema.PropertyNames[i]}:{value.Kind}/{value.Types}");
            described.Append(value.Kind switch
            {
                JsonTokenType.String => $"@{value.Start}+{value.Length}{(value.HasEscapes ? " escaped" : string.Empty)}",
                JsonTokenType.Number => $"={BitConverter.DoubleToInt64Bits(value.Number)}/{value.Integer}",
                _ => string.Empty,
            });
        }

        return described.ToString();
    }
}
