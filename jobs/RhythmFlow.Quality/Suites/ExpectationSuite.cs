using System.Text.Json;
using System.Text.Json.Nodes;
using RhythmFlow.Contracts;

namespace RhythmFlow.Quality.Suites;

/// <summary>How much a failed expectation matters: an error fails the run, a warning is only reported.</summary>
public enum Severity
{
    Error,
    Warning,
}

/// <summary>One expectation of a suite, as written in the GX 1.x file (<c>type</c>, <c>kwargs</c>, <c>meta</c>, <c>id</c>).</summary>
public sealed record ExpectationConfig(string Id, string Type, JsonObject Kwargs, JsonObject Meta, Severity Severity, string? Notes);

/// <summary>A GX 1.x expectation suite file: <c>gx/expectations/&lt;name&gt;.json</c>.</summary>
public sealed record ExpectationSuite(
    string Name,
    string? Id,
    IReadOnlyList<ExpectationConfig> Expectations,
    JsonObject SuiteParameters,
    JsonObject Meta,
    string? Notes)
{
    /// <summary>Parses a suite file, rejecting the 0.x key names and expectations without id, type, kwargs or severity.</summary>
    public static ExpectationSuite Load(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new UsageException($"Suite file '{path}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"Suite file '{path}' is not valid JSON: {ex.Message}", "Fix the JSON syntax at the position shown.", ex);
        }

        if (root.ContainsKey("expectation_suite_name"))
        {
            throw new UsageException(
                $"Suite file '{path}' uses the GX 0.x key 'expectation_suite_name'.",
                "Rename it to 'name' and 'expectation_type' to 'type' (GX 1.x format).");
        }

        var name = root["name"]?.GetValueKind() == JsonValueKind.String
            ? root["name"]!.GetValue<string>()
            : throw new UsageException($"Suite file '{path}' has no string 'name'.", "Add \"name\": \"<suite name>\" at the top level.");
        var expectations = root["expectations"] as JsonArray
            ?? throw new UsageException($"Suite '{name}' ({path}) has no 'expectations' array.");

        var configs = new List<ExpectationConfig>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < expectations.Count; i++)
        {
            var config = ParseExpectation(name, i, expectations[i]);
            if (!ids.Add(config.Id))
            {
                throw new UsageException($"Suite '{name}': expectation id '{config.Id}' appears twice.", "Give every expectation its own id.");
            }

            configs.Add(config);
        }

        return new ExpectationSuite(
            name,
            root["id"]?.GetValue<string>(),
            configs,
            (root["suite_parameters"] as JsonObject)?.DeepClone().AsObject() ?? [],
            (root["meta"] as JsonObject)?.DeepClone().AsObject() ?? [],
            root["notes"]?.GetValue<string>());
    }

    private static ExpectationConfig ParseExpectation(string suite, int index, JsonNode? node)
    {
        var where = $"Suite '{suite}', expectation #{index + 1}";
        if (node is not JsonObject expectation)
        {
            throw new UsageException($"{where} is not a JSON object.");
        }

        var id = expectation["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var s) && s.Length > 0
            ? s
            : throw new UsageException($"{where} has no 'id'.", "Give every expectation a unique id (a UUID, as GX writes).");
        where = $"Suite '{suite}', expectation '{id}'";
        if (expectation.ContainsKey("expectation_type"))
        {
            throw new UsageException($"{where} uses the GX 0.x key 'expectation_type'.", "Rename it to 'type' (GX 1.x format).");
        }

        var type = expectation["type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var t)
            ? t
            : throw new UsageException($"{where} has no 'type'.", "Set \"type\" to an expectation name such as expect_column_values_to_not_be_null.");
        var kwargs = expectation["kwargs"] as JsonObject
            ?? throw new UsageException($"{where} ({type}) has no 'kwargs' object.");
        var meta = expectation["meta"] as JsonObject ?? [];
        var severity = meta["severity"] is JsonValue sv && sv.TryGetValue<string>(out var level)
            ? level switch
            {
                "error" => Severity.Error,
                "warning" => Severity.Warning,
                _ => throw new UsageException($"{where} ({type}) has meta.severity '{level}'.", "Use \"error\" or \"warning\"."),
            }
            : throw new UsageException($"{where} ({type}) has no meta.severity.", "Add \"meta\": {\"severity\": \"error\"} or \"warning\".");

        return new ExpectationConfig(id, type, kwargs.DeepClone().AsObject(), meta.DeepClone().AsObject(), severity, expectation["notes"]?.ToString());
    }
}
