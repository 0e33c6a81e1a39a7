namespace RhythmFlow.Simulator.Model;

/// <summary>
/// eventsim's weighted pick: items laid out on consecutive integer ranges as wide as their weights, a uniform
/// integer draw below the total, a binary search. Zero-weight items are never picked (eventsim's Guest auth).
/// </summary>
internal sealed class WeightedTable<T>
{
    private readonly T[] _items;
    private readonly long[] _ends;

    public WeightedTable(IEnumerable<(T Item, long Weight)> entries)
    {
        var items = new List<T>();
        var ends = new List<long>();
        long total = 0;
        foreach (var (item, weight) in entries)
        {
            if (weight <= 0)
            {
                continue;
            }

            total += weight;
            items.Add(item);
            ends.Add(total);
        }

        _items = [.. items];
        _ends = [.. ends];
        Total = total;
    }

    public long Total { get; }

    public int Count => _items.Length;

    public T Pick(Xoshiro rng)
    {
        var r = rng.NextLong(Total);
        var index = Array.BinarySearch(_ends, r);
        // ends are exclusive upper bounds: an exact hit belongs to the next item.
        index = index >= 0 ? index + 1 : ~index;
        return _items[index];
    }
}
