using System.Diagnostics;
using Confluent.Kafka;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka.Tests;

public sealed class FetchWakeupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public void Watch_QueueFillsToItsThresholdAndDrains_WakesTheFetcherAndEveryMessageArrivesInOrder()
    {
        // Given 100,000 messages in one partition (about 2 MB, inside the dev broker's retention: dozens of 64 KiB
        // fetches) and a consumer that stops fetching at 1,000 queued messages
        const int messages = 100_000;
        using var broker = DevBroker.Start(partitions: 1);
        Produce(broker, messages);
        using var consumer = Consumer(broker, "wakeup-drain");
        consumer.Assign(new TopicPartitionOffset(Topics.Listen, 0, Offset.Beginning));
        using var poller = new KafkaMessagePoller(consumer);
        using var wakeup = new FetchWakeup(consumer, Options(broker, "wakeup-drain"));
        wakeup.Watch([(Topics.Listen, 0)]);

        // When draining the partition to its end, each fetch filling the queue past the threshold
        var offsets = Drain(poller);

        // Then the fetcher was woken as the queue drained, and nothing was lost or reordered on the way
        wakeup.Wakeups.ShouldBeGreaterThanOrEqualTo(5);
        offsets.Count.ShouldBe(messages);
        offsets.Select((offset, i) => offset == i).ShouldAllBe(inOrder => inOrder);
    }

    [Fact]
    public void Watch_QueueNeverNearItsThreshold_LeavesTheBrokerAlone()
    {
        // Given a partition with far fewer messages than the consumer queues before it stops fetching
        using var broker = DevBroker.Start(partitions: 1);
        Produce(broker, 100);
        using var consumer = Consumer(broker, "wakeup-idle");
        consumer.Assign(new TopicPartitionOffset(Topics.Listen, 0, Offset.Beginning));
        using var poller = new KafkaMessagePoller(consumer);
        using var wakeup = new FetchWakeup(consumer, Options(broker, "wakeup-idle"));
        wakeup.Watch([(Topics.Listen, 0)]);

        // When reading it to its end and staying idle a while
        var offsets = Drain(poller);
        Thread.Sleep(TimeSpan.FromMilliseconds(200));

        // Then no watermark query was sent: an idle consumer does not poll the broker
        offsets.Count.ShouldBe(100);
        wakeup.Wakeups.ShouldBe(0);
    }

    private static KafkaConsumerOptions Options(DevBroker broker, string group) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = group,
        Librdkafka = { ["enable.partition.eof"] = "true", ["queued.min.messages"] = "1000", ["max.partition.fetch.bytes"] = "65536" },
    };

    private static IConsumer<byte[], byte[]> Consumer(DevBroker broker, string group) => KafkaConsumerFactory.Create(Options(broker, group));

    private static void Produce(DevBroker broker, int count)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5, QueueBufferingMaxMessages = count }).Build();
        var value = new byte[10];
        for (var i = 0; i < count; i++)
        {
            producer.Produce(Topics.Listen, new Message<byte[], byte[]> { Value = value });
        }

        producer.Flush(Wait);
    }

    private static List<long> Drain(KafkaMessagePoller poller)
    {
        var offsets = new List<long>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Wait)
        {
            if (!poller.TryPoll(TimeSpan.FromMilliseconds(100), out var message))
            {
                continue;
            }

            if (message.IsPartitionEof)
            {
                break;
            }

            offsets.Add(message.Offset);
        }

        return offsets;
    }
}
