using System.Numerics;

namespace RhythmFlow.Transform;

/// <summary>
/// The event identities (<c>session_id</c>, <c>item_in_session</c>) an hour has loaded so far, so later copies are
/// dropped while streaming. Open addressing over one flat array (a 16-byte slot each, so a probe touches one cache
/// line; no per-entry objects), never larger than its memory limit: once full it stops taking identities and says so,
/// and the caller deduplicates the rest in PostgreSQL.
/// </summary>
internal sealed class IdentitySet
{
    private const int BytesPerSlot = 16;
    private const int InitialSlots = 1 << 12;

    private readonly int _maxSlots;
    private Slot[] _slots;
    private int _count;

    /// <param name="memoryMegabytes">The limit.</param>
    /// <param name="expected">How many identities are expected (the hour's rows), so the set is sized once instead of growing.</param>
    public IdentitySet(int memoryMegabytes, long expected = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryMegabytes, 1);
        // Growing holds the old array and the twice-as-large new one at once: 3 times the old size within the limit.
        var slots = Math.Min((long)memoryMegabytes * 1024 * 1024 * 2 / 3 / BytesPerSlot, 1 << 30);
        _maxSlots = Math.Max(InitialSlots, 1 << BitOperations.Log2((ulong)slots));
        var wanted = Math.Clamp(expected * 4 / 3, InitialSlots, _maxSlots);
        _slots = new Slot[(int)BitOperations.RoundUpToPowerOf2((ulong)wanted)];
    }

    /// <summary>True once an identity did not fit: from then on <see cref="Add"/> only finds identities seen before.</summary>
    public bool Full { get; private set; }

    /// <summary>False when the identity was added before (a duplicate); true when it is new, or when the set is full and it was not seen.</summary>
    public bool Add(long session, int item)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        var slot = (int)Hash(session, item) & mask;
        while (slots[slot].Used)
        {
            if (slots[slot].Session == session && slots[slot].Item == item)
            {
                return false;
            }

            slot = (slot + 1) & mask;
        }

        // Keep the load factor at or below 3/4 so probe runs stay short; at the limit, stop remembering.
        if ((_count + 1) * 4L > slots.Length * 3L)
        {
            if (slots.Length >= _maxSlots)
            {
                Full = true;
                return true;
            }

            Grow();
            return Add(session, item);
        }

        slots[slot] = new Slot(session, item);
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
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Used)
            {
                var slot = (int)Hash(entry.Session, entry.Item) & mask;
                while (_slots[slot].Used)
                {
                    slot = (slot + 1) & mask;
                }

                _slots[slot] = entry;
            }
        }
    }

    private readonly record struct Slot(long Session, int Item)
    {
        public bool Used { get; } = true;
    }
}
