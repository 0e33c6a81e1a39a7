using System.Runtime.CompilerServices;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// eventsim's weighted pick: items laid out on consecutive integer ranges as wide as their weights, a uniform
/// integer draw below the total, a binary search. Zero-weight items are never picked (eventsim's Guest auth).
/// A guide table by the draw's high bits narrows the search to the few items whose ranges meet that slice,
/// so a pick from the 10,000-song catalog costs a lookup and a short search, and picks the same item.
/// </summary>
internal sealed class WeightedTable<T>
{
    private readonly T[] _items;
    private readonly long[] _ends;
    private readonly int[] _guide;
    private readonly int _shift;

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

        // Slices of 2^shift draws, about one per item: guide[b] is the first item whose range reaches slice b.
        while (_shift < 62 && (total - 1) >> _shift >= Math.Max(1, _items.Length))
        {
            _shift++;
        }

        var slices = total > 0 ? (int)((total - 1) >> _shift) + 1 : 0;
        _guide = new int[slices + 1];
        var first = 0;
        for (var b = 0; b < slices; b++)
        {
            var sliceStart = (long)b << _shift;
            while (_ends[first] <= sliceStart)
            {
                first++;
            }

            _guide[b] = first;
        }

        _guide[slices] = _items.Length - 1;
    }

    public long Total { get; }

    public int Count => _items.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public T Pick(Xoshiro rng)
    {
        var r = rng.NextLong(Total);
        var slice = (int)(r >> _shift);
        // The first item whose exclusive end is above r lies between this slice's guide and the next one's.
        var low = _guide[slice];
        var high = _guide[slice + 1];
        var ends = _ends;
        while (low < high)
        {
            var mid = (low + high) >> 1;
            if (ends[mid] <= r)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return _items[low];
    }
}
