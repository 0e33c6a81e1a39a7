using Confluent.Kafka;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka.Tests;

public sealed class DevBrokerTests
{
    [Fact]
    public void Start_WithPartitions_CreatesTheFourEventTopicsOnLoopback()
    {
        using var broker = DevBroker.Start(partitions: 3);
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers });

        broker.BootstrapServers.ShouldStartWith("127.0.0.1:");
        foreach (var topic in Topics.All)
        {
            admin.PartitionCount(topic).ShouldBe(3);
        }
    }

    [Fact]
    public async Task EnsureTopicsAsync_TopicsExist_CreatesNothingAndKeepsTheirPartitions()
    {
        using var broker = DevBroker.Start(partitions: 2);
        broker.CreateTopic("extra_events", 5);
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers });

        var created = await admin.EnsureTopicsAsync(["extra_events", Topics.Listen], 7, 1, CancellationToken.None);

        created.ShouldBeEmpty();
        admin.PartitionCount("extra_events").ShouldBe(5);
        admin.PartitionCount(Topics.Listen).ShouldBe(2);
    }

    [Fact]
    public void PartitionCount_UnknownTopic_IsNullAndDoesNotCreateIt()
    {
        using var broker = DevBroker.Start();
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers });

        admin.PartitionCount("never_created").ShouldBeNull();
        admin.PartitionCount("never_created").ShouldBeNull();
    }

    [Fact]
    public void Watermarks_EmptyPartition_AreBothZero()
    {
        using var broker = DevBroker.Start(partitions: 1);
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers });

        var watermarks = admin.Watermarks(new TopicPartition(Topics.Auth, 0));

        watermarks.Low.Value.ShouldBe(0);
        watermarks.High.Value.ShouldBe(0);
    }
}
