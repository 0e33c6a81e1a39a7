using System.Globalization;
using System.Text.Json.Nodes;

namespace RhythmFlow.Quality.Expectations;

/// <summary>Database values as they appear in GX results: numbers as numbers, instants as ISO strings.</summary>
internal static class JsonValues
{
    public static JsonNode? From(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        short i => JsonValue.Create(i),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        DateTime t => JsonValue.Create(DateTime.SpecifyKind(t, t.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : t.Kind)
            .ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>A value read through <c>jsonb</c> (pairs and records of columns) parsed back into JSON.</summary>
    public static JsonNode? FromJsonText(object? value) => value is string s ? JsonNode.Parse(s) : From(value);
}
