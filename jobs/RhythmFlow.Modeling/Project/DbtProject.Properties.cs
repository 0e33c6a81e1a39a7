using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Project;

public sealed partial class DbtProject
{
    private static readonly string[] TestConfigKeys = ["severity", "where", "warn_if", "error_if", "enabled", "tags", "limit", "meta"];

    /// <summary>Reads every properties YAML file: model/seed docs, columns, configs and tests; sources; singular-test docs.</summary>
    private void LoadProperties()
    {
        var files = Paths("model-paths", "models").Concat(Paths("seed-paths", "seeds")).Concat(Paths("test-paths", "tests"))
            .SelectMany(d => Directory.EnumerateFiles(d, "*.yml", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(d, "*.yaml", SearchOption.AllDirectories)))
            .Distinct()
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var relative = Relative(file);
            var document = Yaml.LoadFile(file);
            if (document.GetValueOrDefault("version") is not 2L)
            {
                throw new UsageException($"{relative}: properties files need 'version: 2'.", "Add version: 2 at the top of the file.");
            }

            foreach (var key in document.Keys.Where(k => k is not ("version" or "models" or "sources" or "seeds" or "data_tests" or "tests" or "macros")))
            {
                throw new UsageException($"{relative}: unsupported top-level key '{key}'.", "The runner reads models, sources, seeds, data_tests and macros.");
            }

            foreach (var entry in Yaml.List(document.GetValueOrDefault("sources")).Select(Yaml.Map))
            {
                AddSource(entry!, relative);
            }

            foreach (var (section, type) in new[] { ("models", ResourceType.Model), ("seeds", ResourceType.Seed), ("data_tests", ResourceType.Test), ("tests", ResourceType.Test) })
            {
                foreach (var entry in Yaml.List(document.GetValueOrDefault(section)).Select(Yaml.Map))
                {
                    var name = Yaml.String(entry, "name") ?? throw new UsageException($"{relative}: an entry under {section}: has no name.", "Give every entry a name.");
                    var node = Nodes.Values.FirstOrDefault(n => n.Name == name && n.ResourceType == type)
                        ?? throw new UsageException(
                            $"{relative}: '{name}' is described under {section}: but there is no such {type.ToString().ToLowerInvariant()} file.",
                            "Fix the name, or add the file.");
                    Describe(node, entry!, relative);
                }
            }
        }
    }

    private void Describe(DbtNode node, Dictionary<string, object?> entry, string file)
    {
        node.Description = Yaml.String(entry, "description")?.Trim() ?? string.Empty;
        if (Yaml.Map(entry.GetValueOrDefault("config")) is { } config)
        {
            foreach (var (key, value) in config)
            {
                MergeConfig(node, key, value);
            }
        }

        foreach (var test in TestsOf(entry))
        {
            AddGenericTest(node, null, test, file);
        }

        foreach (var column in Yaml.List(entry.GetValueOrDefault("columns")).Select(Yaml.Map))
        {
            var name = Yaml.String(column, "name") ?? throw new UsageException($"{file}: a column of '{node.Name}' has no name.", "Name every column.");
            node.Columns[name] = Yaml.String(column, "description")?.Trim() ?? string.Empty;
            foreach (var test in TestsOf(column!))
            {
                AddGenericTest(node, name, test, file);
            }
        }
    }

    private static IEnumerable<object?> TestsOf(Dictionary<string, object?> entry) =>
        Yaml.List(entry.GetValueOrDefault("data_tests")).Concat(Yaml.List(entry.GetValueOrDefault("tests")));

    private void AddSource(Dictionary<string, object?> source, string file)
    {
        var sourceName = Yaml.String(source, "name") ?? throw new UsageException($"{file}: a source has no name.", "Name every source.");
        var schema = Yaml.String(source, "schema") ?? sourceName;
        foreach (var table in Yaml.List(source.GetValueOrDefault("tables")).Select(Yaml.Map))
        {
            var tableName = Yaml.String(table, "name") ?? throw new UsageException($"{file}: a table of source '{sourceName}' has no name.", "Name every table.");
            var node = new DbtNode
            {
                UniqueId = $"source.{Name}.{sourceName}.{tableName}",
                ResourceType = ResourceType.Source,
                Name = tableName,
                PackageName = Name,
                OriginalFilePath = file,
                Fqn = [Name, sourceName, tableName],
                SourceName = sourceName,
                Database = Yaml.String(source, "database") ?? Target.Database,
                Schema = schema,
                Alias = Yaml.String(table, "identifier") ?? tableName,
            };
            foreach (var key in new[] { "freshness", "loaded_at_field" })
            {
                node.SourceProperties[key] = table!.ContainsKey(key) ? table[key] : source.GetValueOrDefault(key);
            }

            if (!Nodes.TryAdd(node.UniqueId, node))
            {
                throw new UsageException($"{file}: source table '{sourceName}.{tableName}' is defined twice.", "Keep one definition.");
            }

            Describe(node, table!, file);
        }
    }

    private void AddGenericTest(DbtNode attached, string? column, object? definition, string file)
    {
        string testName;
        Dictionary<string, object?> kwargs = new(StringComparer.Ordinal);
        Dictionary<string, object?> config = new(StringComparer.Ordinal);
        if (definition is string simple)
        {
            testName = simple;
        }
        else if (Yaml.Map(definition) is { Count: 1 } map && Yaml.Map(map.Values.First()) is var body)
        {
            testName = map.Keys.First();
            foreach (var (key, value) in body ?? [])
            {
                switch (key)
                {
                    case "arguments":
                        foreach (var (argument, argumentValue) in Yaml.Map(value) ?? [])
                        {
                            kwargs[argument] = argumentValue;
                        }

                        break;
                    case "config":
                        foreach (var (configKey, configValue) in Yaml.Map(value) ?? [])
                        {
                            config[configKey] = configValue;
                        }

                        break;
                    case "name" or "description":
                        break;
                    case var k when TestConfigKeys.Contains(k):
                        config[k] = value;
                        break;
                    case "store_failures" or "store_failures_as" or "fail_calc" or "limit":
                        throw new UsageException($"{file}: test '{testName}' on '{attached.Name}' uses '{key}', which the runner does not implement.", "Remove it.");
                    default:
                        kwargs[key] = value;
                        break;
                }
            }
        }
        else
        {
            throw new UsageException($"{file}: a test on '{attached.Name}' is neither a name nor a mapping of one test name to its arguments.", "Write '- unique' or '- accepted_values: {arguments: {values: [...]}}'.");
        }

        var macroName = testName.Contains('.', StringComparison.Ordinal) ? testName[(testName.LastIndexOf('.') + 1)..] : testName;
        if (!_macros.ContainsKey("test_" + macroName))
        {
            throw new UsageException(
                $"{file}: '{attached.Name}' uses the test '{testName}', which is not defined.",
                "Use unique, not_null, accepted_values, relationships, or define it with {% test %} in tests/generic/.");
        }

        var modelName = attached.ResourceType == ResourceType.Source ? $"source_{attached.SourceName}_{attached.Name}" : attached.Name;
        var name = TestName(macroName, modelName, column, kwargs);
        var node = new DbtNode
        {
            UniqueId = $"test.{Name}.{name}.{Hash(name + attached.UniqueId)[..10]}",
            ResourceType = ResourceType.Test,
            Name = name,
            PackageName = Name,
            OriginalFilePath = file,
            Fqn = [Name, .. attached.Fqn.Skip(1).SkipLast(1), name],
            TestMetadata = new TestMetadata(macroName, column, kwargs, attached.UniqueId),
        };
        if (!Nodes.TryAdd(node.UniqueId, node))
        {
            throw new UsageException($"{file}: the test '{name}' is defined twice.", "Remove the duplicate.");
        }

        ApplyProjectConfig(node);
        foreach (var (key, value) in config)
        {
            MergeConfig(node, key, value);
        }

        node.DependsOn.Add(attached.UniqueId);
    }

    /// <summary>Turns <c>ref('x')</c> / <c>source('a','b')</c> argument strings into relations, as dbt renders test arguments.</summary>
    internal object? RenderTestArgument(object? value, Func<string, object?> evaluate) => value switch
    {
        string text when RelationExpression().IsMatch(text) => evaluate(text),
        List<object?> list => list.Select(v => RenderTestArgument(v, evaluate)).ToList(),
        _ => JinjaValues.FromClr(value),
    };

    internal static readonly string[] KnownSeverities = ["error", "warn"];

    internal static string Severity(DbtNode test, string file)
    {
        var severity = JinjaValues.ToText(test.Config.GetValueOrDefault("severity") ?? "error").ToLowerInvariant();
        return KnownSeverities.Contains(severity)
            ? severity
            : throw new UsageException($"{file}: test '{test.Name}' has severity '{severity}'.", "Use severity: error or severity: warn.");
    }
}
