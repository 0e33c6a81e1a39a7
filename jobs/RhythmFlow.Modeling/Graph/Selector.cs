using System.Text.RegularExpressions;
using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Graph;

/// <summary>
/// dbt's node selection syntax: space-separated criteria are a union, comma-separated ones an intersection; each is
/// a name / fqn, <c>path:</c>, <c>tag:</c>, <c>source:</c> or <c>resource_type:</c>, with optional <c>N+</c> / <c>+N</c>
/// graph operators. Tests follow the nodes they test (dbt's default "eager" indirect selection).
/// </summary>
public static partial class Selector
{
    [GeneratedRegex(@"^(?<parents>(?<pd>\d*)\+)?((?<method>[a-z_]+):)?(?<value>[^+]+?)(?<children>\+(?<cd>\d*))?$")]
    private static partial Regex Criterion();

    public static IReadOnlySet<string> Select(DbtProject project, ProjectGraph graph, IReadOnlyList<string> select, IReadOnlyList<string> exclude)
    {
        var candidates = project.Nodes.Values.Where(n => n.ResourceType != ResourceType.Source).Select(n => n.UniqueId);
        var selected = select.Count == 0
            ? candidates.ToHashSet(StringComparer.Ordinal)
            : Union(project, graph, select);
        selected.RemoveWhere(id => project.Nodes[id].ResourceType == ResourceType.Source);
        AddTests(project, selected);
        if (exclude.Count > 0)
        {
            var excluded = Union(project, graph, exclude);
            AddTests(project, excluded);
            selected.ExceptWith(excluded);
        }

        return selected;
    }

    private static HashSet<string> Union(DbtProject project, ProjectGraph graph, IReadOnlyList<string> arguments)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in arguments.SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            HashSet<string>? intersection = null;
            foreach (var part in spec.Split(','))
            {
                var matched = Match(project, graph, part);
                intersection = intersection is null ? matched : intersection.Intersect(matched, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            }

            result.UnionWith(intersection ?? []);
        }

        return result;
    }

    private static HashSet<string> Match(DbtProject project, ProjectGraph graph, string text)
    {
        if (text.StartsWith('@'))
        {
            throw new UsageException($"Selector '{text}': the '@' operator is not supported by the runner.", "Use '+name+' instead.");
        }

        var match = Criterion().Match(text);
        if (!match.Success)
        {
            throw new UsageException($"Selector '{text}' is not valid.", "Write name, +name, name+, 2+name, path:models/staging, tag:nightly or source:raw.listen_events.");
        }

        var value = match.Groups["value"].Value;
        var method = match.Groups["method"].Success ? match.Groups["method"].Value
            : value.Contains('/', StringComparison.Ordinal) || value.EndsWith(".sql", StringComparison.Ordinal) ? "path" : "fqn";
        var roots = project.Nodes.Values.Where(n => method switch
        {
            "fqn" => MatchesFqn(n, value),
            "path" => MatchesPath(n, value),
            "tag" => n.Tags.Contains(value),
            "source" => n.ResourceType == ResourceType.Source && MatchesSource(n, value),
            "resource_type" => n.ResourceType.ToString().Equals(value, StringComparison.OrdinalIgnoreCase),
            _ => throw new UsageException($"Selector '{text}': method '{method}:' is not supported by the runner.", "Use a name, path:, tag:, source: or resource_type:."),
        }).Select(n => n.UniqueId).ToList();

        var result = roots.ToHashSet(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            if (match.Groups["parents"].Success)
            {
                result.UnionWith(graph.Ancestors(root, Depth(match.Groups["pd"].Value)));
            }

            if (match.Groups["children"].Success)
            {
                result.UnionWith(graph.Descendants(root, Depth(match.Groups["cd"].Value)));
            }
        }

        return result;
    }

    private static int? Depth(string digits) => digits.Length == 0 ? null : int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);

    private static bool MatchesFqn(DbtNode node, string value)
    {
        if (node.ResourceType == ResourceType.Source)
        {
            return false;
        }

        var parts = value.Split('.');
        if (parts.Length == 1 && Glob(node.Name, parts[0]))
        {
            return true;
        }

        bool PrefixOf(IReadOnlyList<string> fqn) => parts.Length <= fqn.Count && parts.Select((p, i) => Glob(fqn[i], p)).All(x => x);
        return PrefixOf(node.Fqn) || PrefixOf(node.Fqn.Skip(1).ToList());
    }

    private static bool MatchesPath(DbtNode node, string value)
    {
        var path = value.TrimEnd('/');
        return node.ResourceType != ResourceType.Source
            && (node.OriginalFilePath == path || node.OriginalFilePath.StartsWith(path + "/", StringComparison.Ordinal))
            && node.TestMetadata is null;
    }

    private static bool MatchesSource(DbtNode node, string value)
    {
        var parts = value.Split('.');
        return Glob(node.SourceName!, parts[0]) && (parts.Length == 1 || Glob(node.Name, parts[1]));
    }

    private static bool Glob(string text, string pattern) =>
        pattern.Contains('*', StringComparison.Ordinal)
            ? Regex.IsMatch(text, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$")
            : text == pattern;

    private static void AddTests(DbtProject project, HashSet<string> selected)
    {
        foreach (var test in project.Nodes.Values.Where(n => n.ResourceType == ResourceType.Test))
        {
            if (test.DependsOn.Any(selected.Contains))
            {
                selected.Add(test.UniqueId);
            }
        }
    }
}
