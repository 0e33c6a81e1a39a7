using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Landing;

/// <summary>Settings of the landing job (section <c>Landing</c>; the <c>land</c> verb's options override them).</summary>
public sealed class LandingOptions
{
    public const string Section = "Landing";

    /// <summary>Longest time a batch stays open; it closes and commits after this, however few events it has.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A batch closes once it holds this many messages (valid plus quarantined).</summary>
    [Range(1, 100_000_000)]
    public int MaxRecords { get; set; } = 5_000_000;

    /// <summary>A batch closes once its messages add up to this many bytes; this bounds the job's memory.</summary>
    [Range(1_024L, 4L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long to keep retrying an unreachable broker at start before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan BrokerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Events whose <c>ts</c> is older than now minus this are quarantined (rule ts-window).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>Events whose <c>ts</c> is later than now plus this are quarantined (rule ts-window).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Messages larger than this are quarantined unread (rule too-large).</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 1024 * 1024;
}
