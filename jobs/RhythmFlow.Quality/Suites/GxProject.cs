using System.Text.Json;
using System.Text.Json.Nodes;
using RhythmFlow.Contracts;
using RhythmFlow.Quality.Sql;
using RhythmFlow.Quality.Validation;
using YamlDotNet.Serialization;

namespace RhythmFlow.Quality.Suites;

/// <summary>A data asset of a fluent datasource in great_expectations.yml, with its batch definitions.</summary>
public sealed record DataAsset(string Datasource, string Name, string? Schema, string? Table, string? Query, IReadOnlyDictionary<string, string?> PartitionColumns);

/// <summary>A GX 1.x validation definition: which suite runs on which batch definition of which asset.</summary>
public sealed record ValidationDefinition(string Name, string Suite, string Datasource, string Asset, string BatchDefinition);

/// <summary>A GX 1.x checkpoint: the validation definitions it runs.</summary>
public sealed record Checkpoint(string Name, IReadOnlyList<string> ValidationDefinitions);

/// <summary>
/// A GX 1.x project folder (<c>great_expectations/gx</c>): <c>great_expectations.yml</c> with its fluent datasources,
/// <c>expectations/</c>, <c>validation_definitions/</c> and <c>checkpoints/</c>. Loading checks every reference.
/// </summary>
public sealed class GxProject
{
    private GxProject(string root, IReadOnlyDictionary<string, DataAsset> assets)
    {
        Root = root;
        Assets = assets;
    }

    /// <summary>The <c>gx</c> folder.</summary>
    public string Root { get; }

    public IReadOnlyDictionary<string, DataAsset> Assets { get; }

    /// <summary>Opens a project given its <c>gx</c> folder or the folder that contains it.</summary>
    public static GxProject Open(string path)
    {
        var root = File.Exists(Path.Combine(path, "great_expectations.yml")) ? path : Path.Combine(path, "gx");
        var config = Path.Combine(root, "great_expectations.yml");
        if (!File.Exists(config))
        {
            throw new UsageException(
                $"No GX project at '{Path.GetFullPath(path)}': great_expectations.yml is missing.",
                "Point Quality:ProjectDir (or --project-dir) at the repository's great_expectations folder.");
        }

        return new GxProject(root, LoadAssets(config));
    }

    public ExpectationSuite Suite(string name)
    {
        var path = Path.Combine(Root, "expectations", RequireName(name, "suite") + ".json");
        return File.Exists(path)
            ? ExpectationSuite.Load(path)
            : throw new UsageException($"No suite '{name}' in {Path.Combine(Root, "expectations")}.", $"Known suites: {string.Join(", ", Names("expectations"))}.");
    }

    public Checkpoint Checkpoint(string name)
    {
        var path = Path.Combine(Root, "checkpoints", RequireName(name, "checkpoint") + ".json");
        if (!File.Exists(path))
        {
            throw new UsageException($"No checkpoint '{name}' in {Path.Combine(Root, "checkpoints")}.", $"Known checkpoints: {string.Join(", ", Names("checkpoints"))}.");
        }

        var json = ReadObject(path);
        var definitions = json["validation_definitions"] as JsonArray
            ?? throw new UsageException($"Checkpoint file '{path}' has no 'validation_definitions' list.");
        return new Checkpoint(
            name,
            [.. definitions.Select(d => d?["name"]?.GetValue<string>() ?? throw new UsageException($"Checkpoint '{name}' lists a validation definition without a name."))]);
    }

    public ValidationDefinition ValidationDefinition(string name)
    {
        var path = Path.Combine(Root, "validation_definitions", RequireName(name, "validation definition") + ".json");
        if (!File.Exists(path))
        {
            throw new UsageException($"No validation definition '{name}' in {Path.Combine(Root, "validation_definitions")}.");
        }

        var json = ReadObject(path);
        string Field(params string[] keys)
        {
            JsonNode? node = json;
            foreach (var key in keys)
            {
                node = node?[key];
            }

            return node is JsonValue v && v.TryGetValue<string>(out var s)
                ? s
                : throw new UsageException($"Validation definition '{path}' has no '{string.Join('.', keys)}'.");
        }

        var definition = new ValidationDefinition(
            name, Field("suite", "name"), Field("data", "datasource", "name"), Field("data", "asset", "name"), Field("data", "batch_definition", "name"));
        var asset = Asset(definition.Datasource, definition.Asset);
        return asset.PartitionColumns.ContainsKey(definition.BatchDefinition)
            ? definition
            : throw new UsageException($"Validation definition '{name}' names batch definition '{definition.BatchDefinition}', which asset '{asset.Name}' does not define.");
    }

    public DataAsset Asset(string datasource, string asset) =>
        Assets.TryGetValue(datasource + "/" + asset, out var found)
            ? found
            : throw new UsageException($"great_expectations.yml has no asset '{asset}' in datasource '{datasource}'.");

    /// <summary>The batches a validation definition covers: one per hour of the interval when partitioned by hour, else the whole asset.</summary>
    public IReadOnlyList<BatchSpec> Batches(ValidationDefinition definition, DataInterval? interval)
    {
        var asset = Asset(definition.Datasource, definition.Asset);
        var partitionColumn = asset.PartitionColumns[definition.BatchDefinition];
        var whole = new BatchSpec(asset.Datasource, asset.Name, definition.BatchDefinition, asset.Schema, asset.Table, asset.Query);
        if (partitionColumn is null)
        {
            return [whole];
        }

        if (interval is not { } i)
        {
            throw new UsageException(
                $"Validation definition '{definition.Name}' validates hourly batches of {asset.Name}; it needs a data interval.",
                "Pass --interval-start and --interval-end (ISO-8601 UTC).");
        }

        return [.. i.Hours().Select(h => whole with { PartitionColumn = partitionColumn, Start = h, End = h.AddHours(1) })];
    }

    private IEnumerable<string> Names(string folder) =>
        Directory.Exists(Path.Combine(Root, folder))
            ? Directory.EnumerateFiles(Path.Combine(Root, folder), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!
            : [];

    private static string RequireName(string name, string what) =>
        SqlNames.IsValid(name) ? name : throw new UsageException($"'{name}' is not a valid {what} name; use lower-case letters, digits and '_'.");

    private static JsonObject ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new UsageException($"'{path}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"'{path}' is not valid JSON: {ex.Message}", null, ex);
        }
    }

    private static Dictionary<string, DataAsset> LoadAssets(string configPath)
    {
        Dictionary<object, object> root;
        try
        {
            root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(configPath)) ?? [];
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new UsageException($"'{configPath}' is not valid YAML: {ex.Message}", null, ex);
        }

        var assets = new Dictionary<string, DataAsset>(StringComparer.Ordinal);
        foreach (var (datasource, datasourceNode) in Map(root, "fluent_datasources"))
        {
            foreach (var (assetName, assetNode) in Map(datasourceNode, "assets"))
            {
                var asset = assetNode as Dictionary<object, object> ?? [];
                var type = Text(asset, "type");
                var partitions = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var (definition, definitionNode) in Map(asset, "batch_definitions"))
                {
                    var partitioner = (definitionNode as Dictionary<object, object>)?.GetValueOrDefault("partitioner") as Dictionary<object, object>;
                    partitions[definition] = partitioner is null ? null : HourlyColumn(configPath, assetName, definition, partitioner);
                }

                var where = $"{configPath}: asset '{assetName}'";
                assets[datasource + "/" + assetName] = type switch
                {
                    "table" => new DataAsset(
                        datasource,
                        assetName,
                        RequireIdentifier(Text(asset, "schema_name"), where, "schema_name"),
                        RequireIdentifier(Text(asset, "table_name"), where, "table_name"),
                        null,
                        partitions),
                    "query" => new DataAsset(datasource, assetName, null, null, Text(asset, "query") ?? throw new UsageException($"{where} has no query."), partitions),
                    _ => throw new UsageException($"{where} has type '{type}'; the validator reads 'table' and 'query' assets."),
                };
            }
        }

        return assets;
    }

    private static string HourlyColumn(string configPath, string asset, string definition, Dictionary<object, object> partitioner)
    {
        var parts = (partitioner.GetValueOrDefault("datetime_parts") as List<object>)?.Select(p => p.ToString()).ToList();
        if (Text(partitioner, "method_name") != "partition_on_date_parts" || parts is null || !parts.SequenceEqual(["year", "month", "day", "hour"]))
        {
            throw new UsageException(
                $"{configPath}: batch definition '{definition}' of asset '{asset}' uses a partitioner the validator does not run.",
                "Use method_name: partition_on_date_parts with datetime_parts [year, month, day, hour], or no partitioner.");
        }

        return RequireIdentifier(Text(partitioner, "column_name"), $"{configPath}: batch definition '{definition}'", "column_name");
    }

    private static IEnumerable<(string Key, object? Value)> Map(object? node, string key) =>
        (node as Dictionary<object, object>)?.GetValueOrDefault(key) is Dictionary<object, object> map
            ? map.Select(p => (p.Key.ToString()!, (object?)p.Value))
            : [];

    private static string? Text(Dictionary<object, object> map, string key) => map.GetValueOrDefault(key)?.ToString();

    private static string RequireIdentifier(string? value, string where, string key) =>
        value is not null && SqlNames.IsValid(value)
            ? value
            : throw new UsageException($"{where}: '{key}' = '{value}' is not a valid SQL identifier.");
}
