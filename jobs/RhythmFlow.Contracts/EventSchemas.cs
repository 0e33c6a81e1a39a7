using System.Collections.Concurrent;
using System.Text;
using NJsonSchema;
using NJsonSchema.Validation;

namespace RhythmFlow.Contracts;

/// <summary>
/// The JSON Schema of each topic's events (files under <c>Schemas/</c>, embedded in this assembly). They say
/// which fields exist, their types, which are required and which must be absent together; field order is
/// the writer's job and is checked by the simulator's contract tests.
/// </summary>
public static class EventSchemas
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Loaded = new(StringComparer.Ordinal);

    /// <summary>The parsed schema of <paramref name="topic"/>; thread-safe and cached. Throws for an unknown topic.</summary>
    public static JsonSchema For(string topic)
    {
        Topics.Require(topic);
        return Loaded.GetOrAdd(topic, t => new Lazy<JsonSchema>(() => Load(t))).Value;
    }

    /// <summary>The schema file's text, for tools that bring their own validator.</summary>
    public static string Text(string topic)
    {
        Topics.Require(topic);
        using var stream = typeof(EventSchemas).Assembly.GetManifestResourceStream($"RhythmFlow.Contracts.Schemas.{topic}.schema.json")
            ?? throw new InvalidOperationException($"The schema of '{topic}' is not embedded in {typeof(EventSchemas).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Validates one message (a compact JSON object, as it travels on Kafka) against its topic's schema and
    /// returns the problems, empty when it conforms. Malformed JSON is reported as a problem, not thrown.
    /// </summary>
    public static IReadOnlyList<string> Validate(string topic, ReadOnlySpan<byte> json)
    {
        var schema = For(topic);
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(json);
        }
        catch (DecoderFallbackException ex)
        {
            return [$"not valid UTF-8: {ex.Message}"];
        }

        try
        {
            return [.. schema.Validate(text).Select(Describe)];
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            return [$"not valid JSON: {ex.Message}"];
        }
    }

    private static JsonSchema Load(string topic) =>
        JsonSchema.FromJsonAsync(Text(topic)).GetAwaiter().GetResult();

    private static string Describe(ValidationError error)
    {
        var where = string.IsNullOrEmpty(error.Path) ? "#" : error.Path;
        var nested = error is ChildSchemaValidationError child
            ? " (" + string.Join("; ", child.Errors.SelectMany(e => e.Value).Select(Describe)) + ")"
            : string.Empty;
        return $"{where}: {error.Kind}{(error.Property is null ? string.Empty : $" '{error.Property}'")}{nested}";
    }
}
