using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Kafka;

/// <summary>The in-process dev broker (<c>rhythmflow dev-broker</c>, or <c>--dev-broker</c> on any Kafka verb).</summary>
public sealed class DevBrokerOptions
{
    public const string Section = "Kafka:DevBroker";

    /// <summary>Partitions of each of the four event topics the broker creates at start.</summary>
    [Range(1, 1_000)]
    public int Partitions { get; set; } = 4;

    /// <summary>Brokers in the mock cluster; more than one spreads partition leaders across listeners.</summary>
    [Range(1, 9)]
    public int Brokers { get; set; } = 1;

    public DevBroker Start() => DevBroker.Start(Partitions, Brokers);
}
