using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Transform;

/// <summary>Settings of the hourly transform (section <c>Transform</c>).</summary>
public sealed class TransformOptions
{
    public const string Section = "Transform";

    /// <summary>
    /// PostgreSQL memory (work_mem, per transaction) for finding an hour's duplicate event identities; larger hours
    /// spill to disk instead of failing. The client side streams row group by row group whatever the hour's size.
    /// </summary>
    [Range(4, 4096)]
    public int WorkMemMegabytes { get; set; } = 64;
}
