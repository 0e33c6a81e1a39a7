using System.Numerics;

namespace RhythmFlow.Transform;

/// <summary>
/// The event identities (<c>session_id</c>, <c>item_in_session</c>) an hour has loaded so far, so later copies are
/// dropped while streaming. Open addressing over flat arrays (13 bytes a slot, no per-entry objects), never larger
/// than its memory limit: once full it stops taking identities and says so, and the caller deduplicates the rest in
/// PostgreSQL.
/// </summary>
internal sealed class IdentitySet
{
    private const int BytesPerSlot = sizeof(long) + sizeof(int) + sizeof(bool);
    private const int InitialSlots = 1 << 12;

    private readonly int _maxSlots;
    private long[] _sessions = new long[InitialSlots];
    private int[] _items = new int[InitialSlots];
    private bool[] _used = new bool[InitialSlots];
    private int _count;

    public IdentitySet(int memoryMegabytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryMegabytes, 1);
        // Growing holds the old arrays and the twice-as-large new ones at once: 3 times the old size within the limit.
        var slots = Math.Min((long)memoryMegabytes * 1024 * 1024 * 2 / 3 / BytesPerSlot, 1 << 30);
        _maxSlots = Math.Max(InitialSlots, 1 << BitOperations.Log2((ulong)slots));
    }

    /// <summary>True once an identity did not fit: from then on <see cref="Add"/> only finds identities seen before.</summary>
    public bool Full { get; private set; }

    /// <summary>False when the identity was added before (a duplicate); true when it is new, or when the set is full and it was not seen.</summary>
    public bool Add(long session, int item)
    {
        var mask = _sessions.Length - 1;
        var slot = (int)Hash(session, item) & mask;
        while (_used[slot])
        {
            if (_sessions[slot] == session && _items[slot] == item)
            {
                return false;
            }

            slot = (slot + 1) & mask;
        }

        // Keep the load factor at or below 3/4 so probe runs stay short; at the limit, stop remembering.
        if ((_count + 1) * 4L > _sessions.Length * 3L)
        {
            if (_sessions.Length >= _maxSlots)
            {
                Full = true;
                return true;
            }

            Grow();
            return Add(session, item);
        }

        _sessions[slot] = session;
        _items[slot] = item;
        _used[slot] = true;
        _count++;
        return true;
    }

    private static ulong Hash(long session, int item)
    {
        // A 64-bit finalizer (MurmurHash3's): sessions are dense and items small, so raw values would cluster.
        var h = (ulong)session * 0x9E3779B97F4A7C15UL ^ (uint)item;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    private void Grow()
    {
        var (sessions, items, used) = (_sessions, _items, _used);
        _sessions = new long[sessions.Length * 2];
        _items = new int[sessions.Length * 2];
        _used = new bool[sessions.Length * 2];
        var mask = _sessions.Length - 1;
        for (var i = 0; i < sessions.Length; i++)
        {
            if (used[i])
            {
                var slot = (int)Hash(sessions[i], items[i]) & mask;
                while (_used[slot])
                {
                    slot = (slot + 1) & mask;
                }

                _sessions[slot] = sessions[i];
                _items[slot] = items[i];
                _used[slot] = true;
            }
        }
    }
}
