using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Transform;

/// <summary>Settings of the hourly transform (section <c>Transform</c>).</summary>
public sealed class TransformOptions
{
    public const string Section = "Transform";

    /// <summary>
    /// Client memory for the event identities of the topic-hour being loaded (the default holds about 6 million
    /// of them); duplicates are dropped while streaming. An hour with more identities is still loaded
    /// and deduplicated, the rest of the way by PostgreSQL (see <see cref="WorkMemMegabytes"/>), which is slower.
    /// </summary>
    [Range(1, 16384)]
    public int IdentityMemoryMegabytes { get; set; } = 256;

    /// <summary>
    /// PostgreSQL memory (work_mem, per transaction) for removing duplicates of an hour with more identities than
    /// <see cref="IdentityMemoryMegabytes"/> holds; larger hours spill to disk instead of failing.
    /// </summary>
    [Range(4, 4096)]
    public int WorkMemMegabytes { get; set; } = 64;

    /// <summary>
    /// At most this many connections load one topic-hour at once, each COPYing a slice of its rows into a table of its
    /// own (one PostgreSQL backend per COPY is what limits a single connection's load rate).
    /// </summary>
    [Range(1, 16)]
    public int LoadConnections { get; set; } = 2;

    /// <summary>One more connection loads a topic-hour for every this many rows its lake files hold (up to <see cref="LoadConnections"/>).</summary>
    [Range(1, int.MaxValue)]
    public int RowsPerLoadConnection { get; set; } = 250_000;
}
