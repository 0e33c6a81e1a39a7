using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Project;

public sealed partial class DbtProject
{
    /// <summary>The names a node's template sees: dbt's context functions, the target, and every project macro.</summary>
    private Dictionary<string, object?> Globals(DbtNode node, CompileOptions options, List<DbtNode> ephemerals)
    {
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["execute"] = options.Execute,
            ["target"] = Target,
            ["project_name"] = Name,
            ["ref"] = new JinjaFunction(call => Ref(node, call, options, ephemerals)),
            ["source"] = new JinjaFunction(call => Source(node, call, options)),
            ["config"] = new JinjaFunction(call => Config(node, call, options)),
            ["is_incremental"] = new JinjaFunction(_ => IsIncremental(node, options)),
            ["var"] = new JinjaFunction(call => Var(call.RequireString(0, "name"), call.Arg(1, "default"), call.Args.Count > 1 || call.Kwargs.ContainsKey("default"), call)),
            ["env_var"] = EnvVarFunction(_environment),
            ["exceptions"] = new JinjaNamespace(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["raise_compiler_error"] = new JinjaFunction(call => throw call.Error("Compilation Error: " + JinjaValues.ToText(call.Arg(0, "msg")))),
            }),
        };
        if (node.ResourceType is ResourceType.Model or ResourceType.Seed)
        {
            globals["this"] = RelationOf(node);
        }

        var builtins = CrossDatabaseMacros.For(Target.Type);
        globals["dbt"] = new JinjaNamespace(builtins.ToDictionary(kv => kv.Key, kv => (object?)new JinjaFunction(call => kv.Value(call)), StringComparer.Ordinal));
        globals["adapter"] = new JinjaNamespace(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["dispatch"] = new JinjaFunction(call => Dispatch(call, globals, builtins)),
            ["quote"] = new JinjaFunction(call => Target.Quote(call.RequireString(0, "identifier"))),
        });
        foreach (var (name, macro) in _macros)
        {
            globals[name] = new RenderState.Macro(macro, globals);
        }

        return globals;
    }

    /// <summary>adapter.dispatch: the project's <c>&lt;adapter&gt;__name</c>, then <c>default__name</c>, then dbt's own implementation.</summary>
    private object Dispatch(JinjaCall call, Dictionary<string, object?> globals, IReadOnlyDictionary<string, Func<JinjaCall, string>> builtins)
    {
        var name = call.RequireString(0, "macro_name");
        var ns = call.Arg(1, "macro_namespace") as string;
        if (ns is not (null or "dbt") && ns != Name)
        {
            throw call.Error($"adapter.dispatch: macro namespace '{ns}' is not installed (the runner has no packages)");
        }

        foreach (var candidate in new[] { $"{Target.Type}__{name}", $"default__{name}" })
        {
            if (_macros.ContainsKey(candidate))
            {
                return globals[candidate]!;
            }
        }

        if (builtins.TryGetValue(name, out var builtin))
        {
            return new JinjaFunction(inner => builtin(inner));
        }

        throw call.Error($"adapter.dispatch: no macro '{Target.Type}__{name}' or 'default__{name}' found");
    }

    private object Ref(DbtNode node, JinjaCall call, CompileOptions options, List<DbtNode> ephemerals)
    {
        var name = call.Args.Count == 2 ? call.RequireString(1, "name") : call.RequireString(0, "name");
        if (call.Args.Count == 2 && call.RequireString(0, "package") != Name)
        {
            throw call.Error($"ref('{call.Args[0]}', '{name}'): the runner has no packages besides '{Name}'");
        }

        var target = Nodes.Values.FirstOrDefault(n => n.Name == name && n.ResourceType is ResourceType.Model or ResourceType.Seed)
            ?? throw call.Error($"'{node.Name}' depends on a node named '{name}' which was not found");
        Depend(node, target, call, options);
        if (!node.Refs.Contains(name))
        {
            node.Refs.Add(name);
        }

        return target.ResourceType == ResourceType.Model && target.Materialized == "ephemeral"
            ? EphemeralReference(target, ephemerals)
            : RelationOf(target);
    }

    private Relation Source(DbtNode node, JinjaCall call, CompileOptions options)
    {
        var sourceName = call.RequireString(0, "source_name");
        var tableName = call.RequireString(1, "table_name");
        var target = Nodes.GetValueOrDefault($"source.{Name}.{sourceName}.{tableName}")
            ?? throw call.Error($"'{node.Name}' depends on a source named '{sourceName}.{tableName}' which was not found");
        Depend(node, target, call, options);
        if (!node.Sources.Contains((sourceName, tableName)))
        {
            node.Sources.Add((sourceName, tableName));
        }

        return RelationOf(target);
    }

    private static void Depend(DbtNode node, DbtNode target, JinjaCall call, CompileOptions options)
    {
        if (!options.Execute)
        {
            node.DependsOn.Add(target.UniqueId);
        }
        else if (!node.DependsOn.Contains(target.UniqueId))
        {
            // dbt finds dependencies while parsing, when is_incremental() is false: a ref only reached at run time is an error there too.
            throw call.Error(
                $"dbt was unable to infer all dependencies for the model \"{node.Name}\": it references \"{target.Name}\" only at run time",
                $"Add '-- depends_on: {{{{ ref('{target.Name}') }}}}' at the top of {node.OriginalFilePath}.");
        }
    }

    private static string Config(DbtNode node, JinjaCall call, CompileOptions options)
    {
        if (!options.Execute)
        {
            if (call.Args.Count > 0)
            {
                throw call.Error("config() takes keyword arguments only");
            }

            foreach (var (key, value) in call.Kwargs)
            {
                MergeConfig(node, key, value);
            }
        }

        return string.Empty;
    }

    private static bool IsIncremental(DbtNode node, CompileOptions options) =>
        options.Execute && node.Materialized == "incremental" && !FullRefresh(node, options) && (options.ExistsAsTable?.Invoke(node) ?? false);

    /// <summary>--full-refresh applies unless the model pins <c>full_refresh: false</c>, as in dbt.</summary>
    public static bool FullRefresh(DbtNode node, CompileOptions options) =>
        node.Config.GetValueOrDefault("full_refresh") is bool pinned ? pinned : options.FullRefresh;
}
