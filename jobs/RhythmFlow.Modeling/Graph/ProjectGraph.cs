using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Graph;

/// <summary>The DAG of a project from ref() and source() (and tests' parents), with a clear error on cycles.</summary>
public sealed class ProjectGraph
{
    private readonly DbtProject _project;

    public ProjectGraph(DbtProject project)
    {
        _project = project;
        foreach (var node in project.Nodes.Values)
        {
            Parents[node.UniqueId] = [.. node.DependsOn];
            Children.TryAdd(node.UniqueId, []);
            foreach (var parent in node.DependsOn)
            {
                Children.TryAdd(parent, []);
                Children[parent].Add(node.UniqueId);
            }
        }

        Order = TopologicalOrder();
    }

    public Dictionary<string, SortedSet<string>> Parents { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SortedSet<string>> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>Every node, parents before children; ties in name order so runs are reproducible.</summary>
    public IReadOnlyList<string> Order { get; }

    public IEnumerable<string> Ancestors(string id, int? depth) => Walk(id, Parents, depth);

    public IEnumerable<string> Descendants(string id, int? depth) => Walk(id, Children, depth);

    private static HashSet<string> Walk(string start, Dictionary<string, SortedSet<string>> edges, int? depth)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new List<string> { start };
        for (var level = 0; frontier.Count > 0 && (depth is null || level < depth); level++)
        {
            frontier = frontier.SelectMany(n => edges.GetValueOrDefault(n) ?? []).Where(seen.Add).ToList();
        }

        return seen;
    }

    private List<string> TopologicalOrder()
    {
        var remaining = Parents.ToDictionary(kv => kv.Key, kv => kv.Value.Count(Parents.ContainsKey), StringComparer.Ordinal);
        var ready = new SortedSet<string>(remaining.Where(kv => kv.Value == 0).Select(kv => kv.Key), StringComparer.Ordinal);
        var order = new List<string>();
        while (ready.Count > 0)
        {
            // Tests first once ready, so a failing test stops its model's children in `build`, as in dbt.
            var next = ready.FirstOrDefault(id => id.StartsWith("test.", StringComparison.Ordinal)) ?? ready.Min!;
            ready.Remove(next);
            order.Add(next);
            foreach (var child in Children.GetValueOrDefault(next) ?? [])
            {
                if (--remaining[child] == 0)
                {
                    ready.Add(child);
                }
            }
        }

        if (order.Count < remaining.Count)
        {
            var cycle = FindCycle(remaining.Keys.Except(order).ToHashSet(StringComparer.Ordinal));
            throw new UsageException(
                $"Found a cycle: {string.Join(" --> ", cycle)}",
                "A model cannot depend on itself through ref(); break the loop by moving the shared logic into an upstream model.");
        }

        return order;
    }

    private List<string> FindCycle(HashSet<string> stuck)
    {
        var path = new List<string>();
        var current = stuck.Order(StringComparer.Ordinal).First();
        while (!path.Contains(current))
        {
            path.Add(current);
            current = Parents[current].First(stuck.Contains);
        }

        var cycle = path[path.IndexOf(current)..];
        cycle.Reverse();
        var first = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
        cycle = [.. cycle[first..], .. cycle[..first]];
        cycle.Add(cycle[0]);
        return cycle.Select(id => _project.Nodes[id].UniqueId).ToList();
    }
}
