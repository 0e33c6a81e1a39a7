using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Orchestration;

/// <summary>Settings of section <c>Demo</c> (<c>rhythmflow demo</c>); the defaults finish in under three minutes on two cores.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Users at the start of the simulated period.</summary>
    [Range(1, 1_000_000)]
    public int Users { get; set; } = 2000;

    /// <summary>Hours simulated, ending at the last full hour before now.</summary>
    [Range(1, 24 * 7)]
    public int Hours { get; set; } = 24;

    /// <summary>End of the simulated period, on the hour (default: the last full hour before now).</summary>
    public DateTimeOffset? End { get; set; }

    /// <summary>Simulator seed; the same seed gives the same events.</summary>
    public long Seed { get; set; } = 42;

    /// <summary>Partitions of each topic on the in-process dev broker.</summary>
    [Range(1, 64)]
    public int Partitions { get; set; } = 4;
}
