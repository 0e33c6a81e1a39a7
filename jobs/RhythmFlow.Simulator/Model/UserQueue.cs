using System.Runtime.CompilerServices;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// A shard's users by next event, smallest (time, local index) first: a 4-ary min-heap of keyed entries.
/// Keys are unique (one entry per user), so the pop order is fully determined. It replaces
/// <see cref="PriorityQueue{TElement, TPriority}"/>, whose tuple comparisons went through a comparer, and lets
/// the simulation loop re-key the top user in place instead of removing and re-inserting it.
/// </summary>
internal sealed class UserQueue
{
    private Entry[] _heap = new Entry[16];

    public int Count { get; private set; }

    public bool TryPeek(out User user, out long ts)
    {
        if (Count == 0)
        {
            user = null!;
            ts = 0;
            return false;
        }

        user = _heap[0].User;
        ts = _heap[0].Ts;
        return true;
    }

    /// <summary>Queues a user at its <see cref="User.NextTs"/>.</summary>
    public void Enqueue(User user)
    {
        if (Count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var entry = new Entry(user.NextTs, user.LocalIndex, user);
        var heap = _heap;
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 2;
            if (!Less(entry, heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = entry;
    }

    /// <summary>The top user moved on: re-queues it at its new <see cref="User.NextTs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UpdateTop()
    {
        var user = _heap[0].User;
        SiftDown(new Entry(user.NextTs, user.LocalIndex, user));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RemoveTop()
    {
        var last = _heap[--Count];
        _heap[Count] = default;
        if (Count > 0)
        {
            SiftDown(last);
        }
    }

    private static bool Less(in Entry a, in Entry b) => a.Ts < b.Ts || (a.Ts == b.Ts && a.Index < b.Index);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiftDown(Entry entry)
    {
        var heap = _heap;
        var count = Count;
        var i = 0;
        while (true)
        {
            var first = (i << 2) + 1;
            if (first >= count)
            {
                break;
            }

            var smallest = first;
            var end = Math.Min(first + 4, count);
            for (var c = first + 1; c < end; c++)
            {
                if (Less(heap[c], heap[smallest]))
                {
                    smallest = c;
                }
            }

            if (!Less(heap[smallest], entry))
            {
                break;
            }

            heap[i] = heap[smallest];
            i = smallest;
        }

        heap[i] = entry;
    }

    private readonly record struct Entry(long Ts, int Index, User User);
}
