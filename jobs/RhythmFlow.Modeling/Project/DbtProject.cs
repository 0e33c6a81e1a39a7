using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Project;

/// <summary>What to load: the project folder, the profiles folder, the target, and <c>--vars</c>.</summary>
public sealed record ProjectLoadOptions(string ProjectDir, string? ProfilesDir = null, string? TargetName = null, IReadOnlyDictionary<string, object?>? Vars = null)
{
    /// <summary>Reads environment variables for env_var(); tests substitute their own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>
/// A dbt project loaded as dbt parses it: dbt_project.yml, the profile target, macros, models, seeds, sources,
/// generic and singular tests, each model's config and dependencies (found by rendering it, as dbt's parser does).
/// </summary>
public sealed partial class DbtProject
{
    private static readonly string[] ConfigKeys =
        ["materialized", "schema", "alias", "tags", "enabled", "unique_key", "incremental_strategy", "on_schema_change", "indexes",
         "partition_by", "cluster_by", "full_refresh", "severity", "where", "warn_if", "error_if", "column_types", "quote_columns", "meta", "docs", "persist_docs", "grants", "contract"];

    private readonly Dictionary<string, object?> _projectFile;
    private readonly Func<string, string?> _environment;
    private readonly IReadOnlyDictionary<string, object?> _cliVars;
    private readonly Dictionary<string, MacroNode> _macros = new(StringComparer.Ordinal);

    private DbtProject(string root, Dictionary<string, object?> projectFile, Target target, ProjectLoadOptions options)
    {
        Root = root;
        _projectFile = projectFile;
        Target = target;
        _environment = options.Environment;
        _cliVars = options.Vars ?? new Dictionary<string, object?>();
        Name = Yaml.String(projectFile, "name") ?? throw new UsageException($"{Path.Combine(root, "dbt_project.yml")}: 'name' is missing.", "Name the project.");
        TargetPath = Path.Combine(root, Yaml.String(projectFile, "target-path") ?? "target");
    }

    public string Root { get; }

    public string Name { get; }

    public Target Target { get; }

    public string TargetPath { get; }

    /// <summary>Every node by unique id (models, seeds, tests and sources), in a stable order.</summary>
    public SortedDictionary<string, DbtNode> Nodes { get; } = new(StringComparer.Ordinal);

    public IEnumerable<string> MacroNames => _macros.Keys.Order(StringComparer.Ordinal);

    public static DbtProject Load(ProjectLoadOptions options)
    {
        var root = Path.GetFullPath(options.ProjectDir);
        var projectPath = Path.Combine(root, "dbt_project.yml");
        if (!File.Exists(projectPath))
        {
            throw new UsageException($"No dbt_project.yml in {root}.", "Pass --project-dir with the dbt project folder (the repository's dbt/).");
        }

        var projectFile = Yaml.LoadFile(projectPath);
        var target = LoadTarget(projectFile, options, root);
        var project = new DbtProject(root, projectFile, target, options);
        project.LoadMacros();
        project.LoadFiles();
        project.LoadProperties();
        project.ParseNodes();
        return project;
    }

    public DbtNode NodeByName(string name, params ResourceType[] types) =>
        Nodes.Values.FirstOrDefault(n => n.Name == name && (types.Length == 0 || types.Contains(n.ResourceType)))
        ?? throw new UsageException($"No {(types.Length == 0 ? "node" : string.Join(" or ", types).ToLowerInvariant())} named '{name}' in the project.", "Run 'rhythmflow model ls' to list the nodes.");

    public object? Var(string name, object? fallback, bool hasFallback, JinjaCall? call)
    {
        if (_cliVars.TryGetValue(name, out var cli))
        {
            return JinjaValues.FromClr(cli);
        }

        if (Yaml.Map(_projectFile.GetValueOrDefault("vars")) is { } vars && vars.TryGetValue(name, out var value))
        {
            return value;
        }

        return hasFallback ? fallback
            : throw (Exception?)call?.Error($"Required var '{name}' not found in config: pass it with --vars or set it under vars: in dbt_project.yml")
                ?? new UsageException($"Required var '{name}' not found.", "Pass it with --vars.");
    }

    private static Target LoadTarget(Dictionary<string, object?> projectFile, ProjectLoadOptions options, string root)
    {
        var profilesDir = options.ProfilesDir ?? root;
        var profilesPath = Path.Combine(profilesDir, "profiles.yml");
        if (!File.Exists(profilesPath))
        {
            throw new UsageException($"No profiles.yml in {profilesDir}.", "Pass --profiles-dir, or keep profiles.yml next to dbt_project.yml.");
        }

        var profileName = Yaml.String(projectFile, "profile") ?? throw new UsageException($"{root}/dbt_project.yml: 'profile' is missing.", "Name the profile to use.");
        var profiles = Yaml.LoadFile(profilesPath);
        var profile = Yaml.Map(profiles.GetValueOrDefault(profileName))
            ?? throw new UsageException($"{profilesPath}: no profile named '{profileName}'.", "Add it, or fix 'profile' in dbt_project.yml.");
        var renderer = new Func<object?, object?>(value => RenderProfileValue(value, options.Environment, profilesPath));
        var targetName = options.TargetName ?? JinjaValues.ToText(renderer(profile.GetValueOrDefault("target")) ?? "default");
        var outputs = Yaml.Map(profile.GetValueOrDefault("outputs")) ?? throw new UsageException($"{profilesPath}: profile '{profileName}' has no outputs.", "Add outputs: with a target.");
        if (Yaml.Map(outputs.GetValueOrDefault(targetName)) is not { } settings)
        {
            throw new UsageException(
                $"{profilesPath}: profile '{profileName}' has no target '{targetName}'.",
                $"Use one of: {string.Join(", ", outputs.Keys)}.");
        }

        return new Target(profileName, targetName, settings.ToDictionary(kv => kv.Key, kv => renderer(kv.Value), StringComparer.Ordinal));
    }

    private static object? RenderProfileValue(object? value, Func<string, string?> environment, string file)
    {
        if (value is not string text || !text.Contains("{{", StringComparison.Ordinal))
        {
            return value;
        }

        var globals = new Dictionary<string, object?>(StringComparer.Ordinal) { ["env_var"] = EnvVarFunction(environment) };
        var rendered = Template.Parse(text, file).Render(globals);
        return text.Contains("as_number", StringComparison.Ordinal) && long.TryParse(rendered, out var number) ? number : rendered;
    }

    private static JinjaFunction EnvVarFunction(Func<string, string?> environment) => new(call =>
    {
        var name = call.RequireString(0, "var");
        return environment(name) ?? (call.Args.Count > 1 || call.Kwargs.ContainsKey("default")
            ? JinjaValues.ToText(call.Arg(1, "default"))
            : throw call.Error($"Env var required but not provided: '{name}'"));
    });

    private IEnumerable<string> Paths(string key, string fallback) =>
        (_projectFile.GetValueOrDefault(key) is List<object?> list ? list.Select(JinjaValues.ToText) : [fallback])
        .Select(p => Path.Combine(Root, p))
        .Where(Directory.Exists);

    private string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private void LoadMacros()
    {
        AddMacros(Template.Parse(GenericTests.Source, "<builtin generic tests>"), allowOverride: false);
        var files = Paths("macro-paths", "macros").SelectMany(d => Directory.EnumerateFiles(d, "*.sql", SearchOption.AllDirectories))
            .Concat(Paths("test-paths", "tests").SelectMany(d => Directory.EnumerateFiles(d, "*.sql", SearchOption.AllDirectories)).Where(IsGenericTestFile))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            AddMacros(Template.Parse(File.ReadAllText(file), Relative(file)), allowOverride: true);
        }
    }

    private static bool IsGenericTestFile(string path) => path.Replace('\\', '/').Contains("/generic/", StringComparison.Ordinal);

    private void AddMacros(Template template, bool allowOverride)
    {
        foreach (var macro in template.Macros)
        {
            if (_macros.TryGetValue(macro.Name, out var existing) && (existing.File != "<builtin generic tests>" || !allowOverride))
            {
                throw new UsageException(
                    $"{macro.File}:{macro.Line}: macro '{macro.Name}' is already defined in {existing.File}:{existing.Line}.",
                    "dbt rejects duplicate macro names in one project; rename one of them.");
            }

            _macros[macro.Name] = macro;
        }
    }

    private void LoadFiles()
    {
        foreach (var dir in Paths("model-paths", "models"))
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".py", StringComparison.Ordinal))
                {
                    throw new UsageException($"{Relative(file)}: Python models are not supported by the runner.", "Write the model in SQL.");
                }

                if (!file.EndsWith(".sql", StringComparison.Ordinal))
                {
                    continue;
                }

                var name = Path.GetFileNameWithoutExtension(file);
                var folders = Path.GetRelativePath(dir, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar).Where(f => f != ".").ToList();
                AddNode(new DbtNode
                {
                    UniqueId = $"model.{Name}.{name}",
                    ResourceType = ResourceType.Model,
                    Name = name,
                    PackageName = Name,
                    OriginalFilePath = Relative(file),
                    Fqn = [Name, .. folders, name],
                    RawCode = File.ReadAllText(file),
                });
            }
        }

        foreach (var dir in Paths("seed-paths", "seeds"))
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var folders = Path.GetRelativePath(dir, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar).Where(f => f != ".").ToList();
                AddNode(new DbtNode
                {
                    UniqueId = $"seed.{Name}.{name}",
                    ResourceType = ResourceType.Seed,
                    Name = name,
                    PackageName = Name,
                    OriginalFilePath = Relative(file),
                    Fqn = [Name, .. folders, name],
                });
            }
        }

        foreach (var dir in Paths("test-paths", "tests"))
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*.sql", SearchOption.AllDirectories).Where(f => !IsGenericTestFile(f)).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var folders = Path.GetRelativePath(dir, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar).Where(f => f != ".").ToList();
                AddNode(new DbtNode
                {
                    UniqueId = $"test.{Name}.{name}",
                    ResourceType = ResourceType.Test,
                    Name = name,
                    PackageName = Name,
                    OriginalFilePath = Relative(file),
                    Fqn = [Name, .. folders, name],
                    RawCode = File.ReadAllText(file),
                });
            }
        }
    }

    private void AddNode(DbtNode node)
    {
        var clash = Nodes.Values.FirstOrDefault(n => n.Name == node.Name && n.ResourceType != ResourceType.Source && n.ResourceType != ResourceType.Test
            && node.ResourceType is ResourceType.Model or ResourceType.Seed);
        if (clash is not null || !Nodes.TryAdd(node.UniqueId, node))
        {
            throw new UsageException(
                $"dbt found two resources with the name \"{node.Name}\": {node.OriginalFilePath} and {(clash ?? Nodes[node.UniqueId]).OriginalFilePath}.",
                "Names of models, seeds and tests must be unique; rename one.");
        }

        ApplyProjectConfig(node);
    }

    /// <summary>Applies dbt_project.yml's models:/seeds:/data_tests: config along the node's fqn ('+key' entries).</summary>
    private void ApplyProjectConfig(DbtNode node)
    {
        var section = node.ResourceType switch
        {
            ResourceType.Model => "models",
            ResourceType.Seed => "seeds",
            _ => _projectFile.ContainsKey("data_tests") ? "data_tests" : "tests",
        };
        var level = Yaml.Map(_projectFile.GetValueOrDefault(section));
        foreach (var part in node.Fqn)
        {
            level = Yaml.Map(level?.GetValueOrDefault(part));
            if (level is null)
            {
                break;
            }

            foreach (var (key, value) in level)
            {
                var configKey = key.StartsWith('+') ? key[1..] : key;
                if (key.StartsWith('+') || (ConfigKeys.Contains(configKey) && value is not Dictionary<string, object?>))
                {
                    MergeConfig(node, configKey, value);
                }
            }
        }
    }

    private static void MergeConfig(DbtNode node, string key, object? value)
    {
        if (key == "tags")
        {
            var tags = node.Config.GetValueOrDefault("tags") as List<object?> ?? [];
            tags.AddRange(value is List<object?> list ? list : [value]);
            node.Config["tags"] = tags.Distinct().ToList();
        }
        else
        {
            node.Config[key] = value;
        }
    }

    [GeneratedRegex(@"^\s*(ref|source)\s*\(.*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex RelationExpression();

    private static string Hash(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    internal static string TestName(string testName, string modelName, string? column, IReadOnlyDictionary<string, object?> kwargs)
    {
        var parts = new List<string> { testName, modelName };
        if (column is not null)
        {
            parts.Add(column);
        }

        foreach (var (_, value) in kwargs.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var text = value is List<object?> list ? string.Join("__", list.Select(JinjaValues.ToText)) : JinjaValues.ToText(value);
            parts.Add(Regex.Replace(text, "[^0-9a-zA-Z_]+", "_"));
        }

        var full = string.Join("_", parts.Where(p => p.Length > 0)).Replace("__", "__", StringComparison.Ordinal);
        return full.Length >= 64 ? $"{full[..30]}_{Hash(full)}" : full;
    }
}
