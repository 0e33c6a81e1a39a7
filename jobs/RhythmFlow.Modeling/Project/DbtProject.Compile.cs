using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Project;

/// <summary>How a node is being rendered: while parsing (dependencies and config), or for execution.</summary>
public sealed record CompileOptions(bool Execute, bool FullRefresh = false, Func<DbtNode, bool>? ExistsAsTable = null);

public sealed partial class DbtProject
{
    private readonly Dictionary<string, Template> _templates = new(StringComparer.Ordinal);

    /// <summary>The relation a model, seed or source lives in.</summary>
    public Relation RelationOf(DbtNode node) => new(Target, node.Database, node.Schema, node.Alias);

    /// <summary>Renders a node's SQL for execution, with ephemeral models injected as CTEs.</summary>
    public string Compile(DbtNode node, CompileOptions options)
    {
        var ephemerals = new List<DbtNode>();
        var sql = Render(node, options, ephemerals);
        if (ephemerals.Count == 0)
        {
            return sql;
        }

        var ctes = new StringBuilder();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ephemeral in ephemerals)
        {
            AppendCte(ephemeral, options, ctes, done);
        }

        return InjectCtes(sql, ctes.ToString());
    }

    private void AppendCte(DbtNode ephemeral, CompileOptions options, StringBuilder ctes, HashSet<string> done)
    {
        if (!done.Add(ephemeral.UniqueId))
        {
            return;
        }

        var nested = new List<DbtNode>();
        var sql = Render(ephemeral, options, nested);
        foreach (var inner in nested)
        {
            AppendCte(inner, options, ctes, done);
        }

        ctes.Append(ctes.Length == 0 ? string.Empty : ",\n").Append("__dbt__cte__").Append(ephemeral.Name).Append(" as (\n").Append(sql.Trim()).Append("\n)");
    }

    /// <summary>Puts ephemeral CTEs in front of the model's own: merged into its WITH when it has one, as dbt does.</summary>
    internal static string InjectCtes(string sql, string ctes)
    {
        var i = 0;
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]))
            {
                i++;
            }
            else if (string.CompareOrdinal(sql, i, "--", 0, 2) == 0)
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (string.CompareOrdinal(sql, i, "/*", 0, 2) == 0)
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }

        var startsWithWith = i + 4 <= sql.Length && sql.Substring(i, 4).Equals("with", StringComparison.OrdinalIgnoreCase)
            && (i + 4 == sql.Length || !char.IsLetterOrDigit(sql[i + 4]) && sql[i + 4] != '_');
        return startsWithWith
            ? $"{sql[..i]}with {ctes},{sql[(i + 4)..]}"
            : $"{sql[..i]}with {ctes}\n{sql[i..]}";
    }

    /// <summary>Parse phase: renders every model and test once to find its config() and its ref()/source() dependencies.</summary>
    private void ParseNodes()
    {
        var parseOptions = new CompileOptions(Execute: false);
        foreach (var node in Nodes.Values.Where(n => n.ResourceType == ResourceType.Model))
        {
            Render(node, parseOptions, []);
        }

        foreach (var node in Nodes.Values.Where(n => n.ResourceType is ResourceType.Model or ResourceType.Seed))
        {
            node.Database = Target.Database;
            node.Alias = node.Config.GetValueOrDefault("alias") as string ?? node.Name;
            node.Schema = GenerateSchemaName(node);
        }

        foreach (var node in Nodes.Values.Where(n => n.ResourceType == ResourceType.Test))
        {
            Render(node, parseOptions, []);
            Severity(node, node.OriginalFilePath);
        }

        foreach (var node in Nodes.Values.Where(n => n.ResourceType == ResourceType.Model && n.Materialized is not ("view" or "table" or "incremental" or "ephemeral")))
        {
            throw new UsageException(
                $"{node.OriginalFilePath}: materialization '{node.Materialized}' is not implemented by the runner.",
                "Use view, table, incremental or ephemeral.");
        }
    }

    private string GenerateSchemaName(DbtNode node)
    {
        var custom = node.Config.GetValueOrDefault("schema");
        if (!_macros.TryGetValue("generate_schema_name", out var macro))
        {
            return custom is null ? Target.Schema : $"{Target.Schema}_{JinjaValues.ToText(custom).Trim()}";
        }

        var globals = Globals(node, new CompileOptions(Execute: false), []);
        var callable = (IJinjaCallable)globals["generate_schema_name"]!;
        var nodeInfo = new JinjaNamespace(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = node.Name,
            ["resource_type"] = node.ResourceType.ToString().ToLowerInvariant(),
            ["fqn"] = node.Fqn.Cast<object?>().ToList(),
            ["unique_id"] = node.UniqueId,
        });
        var result = callable.Invoke(new JinjaCall([custom, nodeInfo], new Dictionary<string, object?>(), new RenderStateProbe(macro.File).State, macro.Line));
        return JinjaValues.ToText(result).Trim();
    }

    private string Render(DbtNode node, CompileOptions options, List<DbtNode> ephemerals)
    {
        var globals = Globals(node, options, ephemerals);
        if (node.TestMetadata is { } test)
        {
            var attached = Nodes[test.AttachedNode];
            var relation = attached.Materialized == "ephemeral" && attached.ResourceType == ResourceType.Model
                ? EphemeralReference(attached, ephemerals)
                : RelationOf(attached).ToString();
            var where = node.Config.GetValueOrDefault("where");
            var model = where is null ? relation : $"(select * from {relation} where {RenderYamlConfig(JinjaValues.ToText(where), node.OriginalFilePath)}) dbt_subquery";
            var kwargs = new Dictionary<string, object?>(StringComparer.Ordinal) { ["model"] = model };
            if (test.ColumnName is not null)
            {
                kwargs["column_name"] = test.ColumnName;
            }

            foreach (var (key, value) in test.Kwargs)
            {
                kwargs[key] = RenderTestArgument(value, text => EvaluateExpression(text, globals, node.OriginalFilePath));
            }

            var macro = (IJinjaCallable)globals["test_" + test.Name]!;
            return JinjaValues.ToText(macro.Invoke(new JinjaCall([], kwargs, new RenderStateProbe(node.OriginalFilePath).State, 1)));
        }

        if (!_templates.TryGetValue(node.UniqueId, out var template))
        {
            template = Template.Parse(node.RawCode, node.OriginalFilePath);
            _templates[node.UniqueId] = template;
        }

        return template.Render(globals);
    }

    /// <summary>
    /// Renders Jinja in a config value written in a properties YAML file, with what dbt offers there: var, env_var
    /// and target, but no ref, source or project macros (dbt renders these configs while parsing).
    /// </summary>
    private string RenderYamlConfig(string text, string file)
    {
        if (!text.Contains("{{", StringComparison.Ordinal) && !text.Contains("{%", StringComparison.Ordinal))
        {
            return text;
        }

        var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["var"] = new JinjaFunction(call => Var(call.RequireString(0, "name"), call.Arg(1, "default"), call.Args.Count > 1 || call.Kwargs.ContainsKey("default"), call)),
            ["env_var"] = EnvVarFunction(_environment),
            ["target"] = Target,
        };
        return Template.Parse(text, file).Render(globals);
    }

    private static string EphemeralReference(DbtNode ephemeral, List<DbtNode> ephemerals)
    {
        if (!ephemerals.Contains(ephemeral))
        {
            ephemerals.Add(ephemeral);
        }

        return "__dbt__cte__" + ephemeral.Name;
    }

    private static object? EvaluateExpression(string text, IReadOnlyDictionary<string, object?> globals, string file)
    {
        var parser = new ExpressionParser(text, file, 1);
        var expr = parser.ParseExpression();
        parser.ExpectEnd();
        return expr.Evaluate(new RenderStateProbe(file, globals).State);
    }

    /// <summary>A bare render state, for evaluating one expression or calling a macro from code.</summary>
    private sealed class RenderStateProbe(string file, IReadOnlyDictionary<string, object?>? globals = null)
    {
        public RenderState State { get; } = new(file, globals ?? new Dictionary<string, object?>());
    }
}
