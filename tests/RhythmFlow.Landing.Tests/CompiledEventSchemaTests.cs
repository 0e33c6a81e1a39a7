using System.Text;
using System.Text.Json.Nodes;
using RhythmFlow.Contracts;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Tests;

public sealed class CompiledEventSchemaTests
{
    public static TheoryData<string> AllTopics() => [.. Topics.All];

    /// <summary>A valid event and, for every field, mutants that break or keep the contract in different ways.</summary>
    private static IEnumerable<(string Name, string Json)> Samples(string topic)
    {
        var valid = SampleEvents.For(topic);
        yield return ("valid", valid.ToJsonString());
        foreach (var (field, _) in valid.ToList())
        {
            var missing = (JsonObject)valid.DeepClone();
            missing.Remove(field);
            yield return ($"without {field}", missing.ToJsonString());
            foreach (JsonNode? replacement in new JsonNode?[] { null, "text", "", 7, -3, 1.5, 1_000, true, new JsonArray(), new JsonObject(), "Guest", "NextSong", "Logged Out", "99999", "ZZ", 9_999_999_999_999 })
            {
                var mutant = (JsonObject)valid.DeepClone();
                mutant[field] = replacement?.DeepClone();
                yield return ($"{field}={replacement?.ToJsonString() ?? "null"}", mutant.ToJsonString());
            }
        }

        var extra = (JsonObject)valid.DeepClone();
        extra["unexpected"] = 1;
        yield return ("extra field", extra.ToJsonString());
        var guest = (JsonObject)valid.DeepClone();
        foreach (var field in new[] { "userId", "lastName", "firstName", "gender", "registration" })
        {
            guest.Remove(field);
        }

        guest["auth"] = "Guest";
        yield return ("guest without user block", guest.ToJsonString());
        var nextSong = (JsonObject)valid.DeepClone();
        nextSong["page"] = "NextSong";
        yield return ("NextSong without song", nextSong.ToJsonString());
        nextSong["artist"] = "A";
        nextSong["song"] = "S";
        nextSong["duration"] = 12.5;
        yield return ("NextSong with song", nextSong.ToJsonString());
        // The parser predicts each field from the order of the message before; these break the prediction.
        yield return ("fields in reverse order", new JsonObject(valid.Reverse().Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone()))).ToJsonString());
        yield return ("valid again", valid.ToJsonString());
        foreach (var text in new[] { "é", "東", "😀", "Zoë", "東京都" })
        {
            var multibyte = (JsonObject)valid.DeepClone();
            foreach (var (field, value) in valid.Where(f => f.Value?.GetValueKind() == System.Text.Json.JsonValueKind.String).ToList())
            {
                multibyte[field] = text;
            }

            yield return ($"every string field = {text}", multibyte.ToJsonString());
        }

        yield return ("array", "[1,2]");
        yield return ("escaped strings", valid.ToJsonString().Replace("Tampa", "T\\u0061mpa", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllTopics))]
    public void Evaluate_ValidAndMutatedEvents_AgreesWithNJsonSchema(string topic)
    {
        // Given
        var schema = CompiledEventSchema.Compile(topic, EventSchemas.Text(topic));
        var fields = new EventFields(schema);
        var disagreements = new List<string>();
        var invalid = 0;

        // When
        foreach (var (name, json) in Samples(topic))
        {
            var reference = EventSchemas.Validate(topic, Encoding.UTF8.GetBytes(json));
            var fast = fields.Parse(Encoding.UTF8.GetBytes(json)) ?? schema.Evaluate(fields);
            invalid += reference.Count > 0 ? 1 : 0;
            if ((fast is null) != (reference.Count == 0))
            {
                disagreements.Add($"{name}: fast={fast?.ToString() ?? "valid"} njsonschema={string.Join("; ", reference)}");
            }
        }

        // Then
        disagreements.ShouldBeEmpty();
        invalid.ShouldBeGreaterThan(50);
    }

    [Fact]
    public void Compile_UnsupportedKeyword_ThrowsNamingIt()
    {
        var error = Should.Throw<InvalidOperationException>(
            () => CompiledEventSchema.Compile(Topics.Listen, """{"type":"object","properties":{"a":{"type":"string","format":"email"}}}"""));

        error.Message.ShouldContain("'format'");
    }
}
