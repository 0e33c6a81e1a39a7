using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace RhythmFlow.Kafka;

/// <summary>
/// A consumer in a group that commits offsets only when told to: auto-commit and the automatic offset store are
/// always off, so the caller decides what is durable (the landing job's lake commit log).
/// </summary>
public sealed class KafkaConsumerOptions : KafkaClientOptions
{
    [Required]
    public string GroupId { get; set; } = "rhythmflow-land";

    /// <summary>Where a partition without a committed offset starts.</summary>
    [AllowedValues("earliest", "latest", "error")]
    public string AutoOffsetReset { get; set; } = "earliest";

    /// <summary>Partition assignment strategy of the group.</summary>
    [AllowedValues("range", "roundrobin", "cooperative-sticky")]
    public string AssignmentStrategy { get; set; } = "range";

    [Range(1_000, 300_000)]
    public int SessionTimeoutMs { get; set; } = 10_000;

    /// <summary>Longest gap between polls before the member is evicted from the group.</summary>
    [Range(1_000, 3_600_000)]
    public int MaxPollIntervalMs { get; set; } = 300_000;

    /// <summary>Read only committed transactional messages.</summary>
    public bool ReadCommitted { get; set; } = true;

    internal ConsumerConfig ToConsumerConfig()
    {
        var config = new ConsumerConfig
        {
            GroupId = GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = Enum.Parse<AutoOffsetReset>(AutoOffsetReset, ignoreCase: true),
            PartitionAssignmentStrategy = AssignmentStrategy switch
            {
                "roundrobin" => PartitionAssignmentStrategy.RoundRobin,
                "cooperative-sticky" => PartitionAssignmentStrategy.CooperativeSticky,
                _ => PartitionAssignmentStrategy.Range,
            },
            SessionTimeoutMs = SessionTimeoutMs,
            MaxPollIntervalMs = MaxPollIntervalMs,
            IsolationLevel = ReadCommitted ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
            EnablePartitionEof = false,
        };
        return Apply(config);
    }
}
