namespace RhythmFlow.Modeling.Project;

public enum ResourceType
{
    Model,
    Seed,
    Test,
    Source,
}

/// <summary>A generic test's identity: which test macro, on which column, with which arguments.</summary>
public sealed record TestMetadata(string Name, string? ColumnName, IReadOnlyDictionary<string, object?> Kwargs, string AttachedNode);

/// <summary>One node of the project graph, named as dbt names it in manifest.json.</summary>
public sealed class DbtNode
{
    public required string UniqueId { get; init; }

    public required ResourceType ResourceType { get; init; }

    public required string Name { get; init; }

    public required string PackageName { get; init; }

    /// <summary>Path relative to the project root (dbt's original_file_path).</summary>
    public required string OriginalFilePath { get; init; }

    public required IReadOnlyList<string> Fqn { get; init; }

    public string RawCode { get; init; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    public Dictionary<string, string> Columns { get; } = new(StringComparer.Ordinal);

    /// <summary>Resolved config: project file, then YAML, then the model's own config() call.</summary>
    public Dictionary<string, object?> Config { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> DependsOn { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> MacrosUsed { get; } = new(StringComparer.Ordinal);

    public List<string> Refs { get; } = [];

    public List<(string Source, string Table)> Sources { get; } = [];

    public TestMetadata? TestMetadata { get; init; }

    /// <summary>Where the relation lives (null for tests and ephemeral models until compiled).</summary>
    public string Database { get; set; } = string.Empty;

    public string Schema { get; set; } = string.Empty;

    public string Alias { get; set; } = string.Empty;

    /// <summary>For sources: the source's name and its freshness/loaded_at settings.</summary>
    public string? SourceName { get; init; }

    public Dictionary<string, object?> SourceProperties { get; } = new(StringComparer.Ordinal);

    public string Materialized => Config.GetValueOrDefault("materialized") as string ?? (ResourceType == ResourceType.Seed ? "seed" : ResourceType == ResourceType.Test ? "test" : "view");

    public IReadOnlyList<string> Tags =>
        Config.GetValueOrDefault("tags") is List<object?> tags ? tags.Select(t => Jinja.JinjaValues.ToText(t)).Distinct().ToList() : [];

    public bool IsExecutable => ResourceType != ResourceType.Source && !(ResourceType == ResourceType.Model && Materialized == "ephemeral");
}
