using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Project;

/// <summary>The profile target a run uses (profiles.yml, rendered): its adapter type and where models go.</summary>
public sealed class Target : IJinjaObject
{
    private readonly Dictionary<string, object?> _settings;

    public Target(string profileName, string name, Dictionary<string, object?> settings)
    {
        ProfileName = profileName;
        Name = name;
        _settings = settings;
        Type = Yaml.String(settings, "type") ?? throw new UsageException($"profiles.yml: target '{name}' has no 'type'.", "Set type: postgres or type: bigquery.");
        if (Type is not ("postgres" or "bigquery"))
        {
            throw new UsageException($"profiles.yml: target '{name}' has type '{Type}'; the runner knows postgres and bigquery.", "Use type: postgres for the local warehouse.");
        }

        Schema = Yaml.String(settings, Type == "bigquery" ? "dataset" : "schema") ?? Yaml.String(settings, "schema")
            ?? throw new UsageException($"profiles.yml: target '{name}' has no schema.", "Add schema: (postgres) or dataset: (bigquery).");
        Database = Yaml.String(settings, Type == "bigquery" ? "project" : "dbname") ?? Yaml.String(settings, "database") ?? string.Empty;
    }

    public string ProfileName { get; }

    public string Name { get; }

    /// <summary>The adapter: postgres or bigquery.</summary>
    public string Type { get; }

    public string Schema { get; }

    public string Database { get; }

    public string? Setting(string key) => Yaml.String(_settings, key);

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "name" => Name,
            "type" => Type,
            "schema" or "dataset" => Schema,
            "database" or "dbname" or "project" => Database,
            "profile_name" => ProfileName,
            "threads" => _settings.GetValueOrDefault("threads") ?? 1L,
            "password" or "keyfile" => null,
            _ => _settings.GetValueOrDefault(name),
        };
        return name is not ("password" or "keyfile") && (value is not null || _settings.ContainsKey(name) || name is "name" or "type" or "schema");
    }

    /// <summary>Quotes one identifier for this adapter.</summary>
    public string Quote(string identifier) => Type == "bigquery" ? $"`{identifier}`" : $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

/// <summary>A relation (table or view) as templates see <c>ref()</c>, <c>source()</c> and <c>this</c>.</summary>
public sealed class Relation(Target target, string database, string schema, string identifier) : IJinjaObject
{
    public string Database { get; } = database;

    public string Schema { get; } = schema;

    public string Identifier { get; } = identifier;

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "database" => Database,
            "schema" => Schema,
            "identifier" or "name" or "table" => Identifier,
            _ => null,
        };
        return value is not null;
    }

    public override string ToString() => string.IsNullOrEmpty(Database)
        ? $"{target.Quote(Schema)}.{target.Quote(Identifier)}"
        : $"{target.Quote(Database)}.{target.Quote(Schema)}.{target.Quote(Identifier)}";
}
