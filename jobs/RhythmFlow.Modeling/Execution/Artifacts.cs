using System.Text.Json;
using System.Text.Json.Nodes;
using RhythmFlow.Modeling.Graph;
using RhythmFlow.Modeling.Jinja;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Execution;

/// <summary>
/// Writes dbt's artifacts under the target path: <c>manifest.json</c> (schema v12), <c>run_results.json</c> (schema v6)
/// and the compiled SQL under <c>compiled/&lt;project&gt;/</c>, with the fields the runner knows filled in.
/// </summary>
public static class Artifacts
{
    public const string DbtVersion = "1.9.0";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string CompiledPath(DbtProject project, DbtNode node)
    {
        var relative = node.TestMetadata is null ? node.OriginalFilePath : Path.Combine(node.OriginalFilePath, node.Name + ".sql");
        return Path.Combine(project.TargetPath, "compiled", project.Name, relative);
    }

    public static void WriteCompiled(DbtProject project, DbtNode node, string sql)
    {
        var path = CompiledPath(project, node);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sql);
    }

    public static void Write(DbtProject project, ProjectGraph graph, RunOutcome outcome, RunRequest request, string invocationId, DateTimeOffset now)
    {
        Directory.CreateDirectory(project.TargetPath);
        var generatedAt = Iso(now);
        var compiled = outcome.Results.ToDictionary(r => r.Node.UniqueId, r => r.CompiledCode, StringComparer.Ordinal);
        File.WriteAllText(Path.Combine(project.TargetPath, "manifest.json"), Manifest(project, graph, invocationId, generatedAt, compiled).ToJsonString(Indented));
        File.WriteAllText(Path.Combine(project.TargetPath, "run_results.json"), RunResults(outcome, request, invocationId, generatedAt, project).ToJsonString(Indented));
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Metadata(string schema, string invocationId, string generatedAt) => new()
    {
        ["dbt_schema_version"] = $"https://schemas.getdbt.com/dbt/{schema}",
        ["dbt_version"] = DbtVersion,
        ["generated_at"] = generatedAt,
        ["invocation_id"] = invocationId,
        ["env"] = new JsonObject(),
    };

    private static JsonObject Manifest(DbtProject project, ProjectGraph graph, string invocationId, string generatedAt, Dictionary<string, string?> compiled)
    {
        var metadata = Metadata("manifest/v12.json", invocationId, generatedAt);
        metadata["project_name"] = project.Name;
        metadata["adapter_type"] = project.Target.Type;
        var nodes = new JsonObject();
        var sources = new JsonObject();
        foreach (var node in project.Nodes.Values)
        {
            var entry = new JsonObject
            {
                ["unique_id"] = node.UniqueId,
                ["resource_type"] = node.ResourceType.ToString().ToLowerInvariant(),
                ["name"] = node.Name,
                ["package_name"] = node.PackageName,
                ["path"] = node.OriginalFilePath,
                ["original_file_path"] = node.OriginalFilePath,
                ["fqn"] = new JsonArray([.. node.Fqn.Select(f => (JsonNode)f)]),
                ["database"] = node.Database,
                ["schema"] = node.Schema,
                ["description"] = node.Description,
                ["columns"] = new JsonObject(node.Columns.Select(c => KeyValuePair.Create<string, JsonNode?>(c.Key, new JsonObject
                {
                    ["name"] = c.Key,
                    ["description"] = c.Value,
                    ["meta"] = new JsonObject(),
                    ["data_type"] = null,
                    ["tags"] = new JsonArray(),
                }))),
                ["tags"] = new JsonArray([.. node.Tags.Select(t => (JsonNode)t)]),
                ["meta"] = new JsonObject(),
            };
            if (node.ResourceType == ResourceType.Source)
            {
                entry["source_name"] = node.SourceName;
                entry["identifier"] = node.Alias;
                entry["relation_name"] = project.RelationOf(node).ToString();
                entry["loaded_at_field"] = node.SourceProperties.GetValueOrDefault("loaded_at_field") as string;
                entry["freshness"] = ToJson(node.SourceProperties.GetValueOrDefault("freshness"));
                sources[node.UniqueId] = entry;
                continue;
            }

            entry["alias"] = node.TestMetadata is null ? node.Alias : node.Name;
            entry["checksum"] = new JsonObject { ["name"] = "sha256", ["checksum"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(node.RawCode))) };
            entry["config"] = ToJson(ConfigWithDefaults(node));
            entry["raw_code"] = node.RawCode;
            entry["language"] = "sql";
            entry["refs"] = new JsonArray([.. node.Refs.Select(r => (JsonNode)new JsonObject { ["name"] = r, ["package"] = null, ["version"] = null })]);
            entry["sources"] = new JsonArray([.. node.Sources.Select(s => (JsonNode)new JsonArray(s.Source, s.Table))]);
            entry["depends_on"] = new JsonObject
            {
                ["macros"] = new JsonArray(),
                ["nodes"] = new JsonArray([.. node.DependsOn.Select(d => (JsonNode)d)]),
            };
            entry["relation_name"] = node.IsExecutable && node.ResourceType != ResourceType.Test ? project.RelationOf(node).ToString() : null;
            if (compiled.TryGetValue(node.UniqueId, out var code) && code is not null)
            {
                entry["compiled"] = true;
                entry["compiled_code"] = code;
                entry["compiled_path"] = Path.GetRelativePath(project.Root, CompiledPath(project, node));
            }

            if (node.TestMetadata is { } test)
            {
                entry["column_name"] = test.ColumnName;
                entry["attached_node"] = test.AttachedNode;
                entry["test_metadata"] = new JsonObject
                {
                    ["name"] = test.Name,
                    ["kwargs"] = ToJson(test.Kwargs.Append(KeyValuePair.Create<string, object?>("column_name", test.ColumnName)).ToDictionary(kv => kv.Key, kv => kv.Value)),
                    ["namespace"] = null,
                };
            }

            nodes[node.UniqueId] = entry;
        }

        var executable = project.Nodes.Keys.ToList();
        return new JsonObject
        {
            ["metadata"] = metadata,
            ["nodes"] = nodes,
            ["sources"] = sources,
            ["macros"] = new JsonObject(project.MacroNames.Select(m => KeyValuePair.Create<string, JsonNode?>($"macro.{project.Name}.{m}", new JsonObject
            {
                ["name"] = m,
                ["unique_id"] = $"macro.{project.Name}.{m}",
                ["package_name"] = project.Name,
            }))),
            ["docs"] = new JsonObject(),
            ["exposures"] = new JsonObject(),
            ["metrics"] = new JsonObject(),
            ["groups"] = new JsonObject(),
            ["selectors"] = new JsonObject(),
            ["disabled"] = new JsonObject(),
            ["parent_map"] = new JsonObject(executable.Select(id => KeyValuePair.Create<string, JsonNode?>(id, new JsonArray([.. graph.Parents[id].Select(p => (JsonNode)p)])))),
            ["child_map"] = new JsonObject(executable.Select(id => KeyValuePair.Create<string, JsonNode?>(id, new JsonArray([.. (graph.Children.GetValueOrDefault(id) ?? []).Select(c => (JsonNode)c)])))),
            ["group_map"] = new JsonObject(),
            ["saved_queries"] = new JsonObject(),
            ["semantic_models"] = new JsonObject(),
            ["unit_tests"] = new JsonObject(),
        };
    }

    private static Dictionary<string, object?> ConfigWithDefaults(DbtNode node)
    {
        var config = new Dictionary<string, object?>(node.Config, StringComparer.Ordinal)
        {
            ["enabled"] = true,
            ["materialized"] = node.Materialized,
            ["tags"] = node.Tags.Cast<object?>().ToList(),
        };
        if (node.ResourceType == ResourceType.Test)
        {
            config["severity"] = JinjaValues.ToText(node.Config.GetValueOrDefault("severity") ?? "ERROR").ToUpperInvariant();
            config["warn_if"] = node.Config.GetValueOrDefault("warn_if") ?? "!= 0";
            config["error_if"] = node.Config.GetValueOrDefault("error_if") ?? "!= 0";
        }

        return config;
    }

    private static JsonObject RunResults(RunOutcome outcome, RunRequest request, string invocationId, string generatedAt, DbtProject project) => new()
    {
        ["metadata"] = Metadata("run-results/v6.json", invocationId, generatedAt),
        ["results"] = new JsonArray([.. outcome.Results.Select(r => (JsonNode)new JsonObject
        {
            ["status"] = r.Status,
            ["timing"] = new JsonArray(
                new JsonObject { ["name"] = "compile", ["started_at"] = Iso(r.StartedAt), ["completed_at"] = Iso(r.StartedAt) },
                new JsonObject { ["name"] = "execute", ["started_at"] = Iso(r.StartedAt), ["completed_at"] = Iso(r.CompletedAt) }),
            ["thread_id"] = "Thread-1",
            ["execution_time"] = r.ExecutionSeconds,
            ["adapter_response"] = r.Response is null ? new JsonObject() : new JsonObject
            {
                ["_message"] = r.Response.Message,
                ["code"] = r.Response.Code,
                ["rows_affected"] = r.Response.RowsAffected,
            },
            ["message"] = r.Message,
            ["failures"] = r.Failures,
            ["unique_id"] = r.Node.UniqueId,
            ["compiled"] = r.CompiledCode is not null,
            ["compiled_code"] = r.CompiledCode,
            ["relation_name"] = r.Node.ResourceType is ResourceType.Model or ResourceType.Seed && r.Node.IsExecutable ? project.RelationOf(r.Node).ToString() : null,
        })]),
        ["elapsed_time"] = outcome.ElapsedSeconds,
        ["args"] = new JsonObject
        {
            ["which"] = request.Command.ToString().ToLowerInvariant(),
            ["select"] = new JsonArray([.. request.Select.Select(s => (JsonNode)s)]),
            ["exclude"] = new JsonArray([.. request.Exclude.Select(s => (JsonNode)s)]),
            ["full_refresh"] = request.FullRefresh,
            ["target"] = project.Target.Name,
        },
    };

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        long l => l,
        double d => d,
        IDictionary<string, object?> dict => new JsonObject(dict.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        IEnumerable<object?> list => new JsonArray([.. list.Select(ToJson)]),
        _ => JinjaValues.ToText(value),
    };
}
