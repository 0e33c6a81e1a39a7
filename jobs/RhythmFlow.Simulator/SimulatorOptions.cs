using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Simulator;

/// <summary>
/// What to simulate. Unset values fall back to the eventsim config's keys, then to defaults (start: one day
/// before now for a historical run, now for a continuous one; end: start + 1 day).
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>Initial number of users (eventsim's --nusers).</summary>
    [Range(1, 50_000_000)]
    public int? Users { get; set; }

    /// <summary>First simulated instant (UTC). Only events strictly after it are emitted.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>End of the simulation (UTC), exclusive.</summary>
    public DateTimeOffset? End { get; set; }

    /// <summary>Seed of every random draw; the same seed and options give byte-identical output.</summary>
    public long? Seed { get; set; }

    /// <summary>An eventsim JSON config; the built-in default is eventsim's example-config.json.</summary>
    public string? ConfigPath { get; set; }

    /// <summary>A song catalog in eventsim's listen_counts format; the default is generated.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>Annual growth as a fraction (eventsim's --growth-rate): new Guest users arrive during the run.</summary>
    [Range(0.0, 1000.0)]
    public double? GrowthRate { get; set; }

    /// <summary>userIds start at this value + 1, as in eventsim.</summary>
    [Range(0, long.MaxValue / 2)]
    public long? FirstUserId { get; set; }

    /// <summary>Adds a "tag" field to events that show user details.</summary>
    public string? Tag { get; set; }

    /// <summary>Worker threads for the shards; 0 means one per processor. Output does not depend on it.</summary>
    [Range(0, 256)]
    public int Threads { get; set; }

    /// <summary>Pace events to the wall clock instead of running as fast as possible.</summary>
    public bool Continuous { get; set; }

    /// <summary>In continuous mode, simulated time runs this many times faster than the wall clock.</summary>
    [Range(0.001, 1_000_000.0)]
    public double Speed { get; set; } = 1;
}
