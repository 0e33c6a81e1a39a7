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
        using var watched = WatchedPartition.Start(messages, "wakeup-drain");

        // When draining the partition to its end, each fetch filling the queue past the threshold
        var offsets = Drain(watched.Poller);

        // Then the fetcher was woken as the queue drained, and nothing was lost or reordered on the way
        watched.Wakeup.Wakeups.ShouldBeGreaterThanOrEqualTo(3);
        offsets.Count.ShouldBe(messages);
        offsets.Select((offset, i) => offset == i).ShouldAllBe(inOrder => inOrder);
    }

    [Fact]
    public void Watch_QueueNeverNearItsThreshold_LeavesTheBrokerAlone()
    {
        // Given a partition with far fewer messages than the consumer queues before it stops fetching
        using var watched = WatchedPartition.Start(100, "wakeup-idle");

        // When reading it to its end and staying idle a while
        var offsets = Drain(watched.Poller);
        Thread.Sleep(TimeSpan.FromMilliseconds(200));

        // Then no watermark query was sent: an idle consumer does not poll the broker
        offsets.Count.ShouldBe(100);
        watched.Wakeup.Wakeups.ShouldBe(0);
    }

    private static KafkaConsumerOptions Options(DevBroker broker, string group) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = group,
        Librdkafka = { ["enable.partition.eof"] = "true", ["queued.min.messages"] = "1000", ["max.partition.fetch.bytes"] = "65536" },
    };

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

    /// <summary>
    /// Reads to the partition's end at about 200 messages a millisecond, as a job that works on each message does: a
    /// bare loop would empty each fetch between two of the wake-up's looks at the queue.
    /// </summary>
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
            if (offsets.Count % 200 == 0)
            {
                Thread.Sleep(1);
            }
        }

        return offsets;
    }

    /// <summary>One partition holding <c>messages</c> messages, assigned from its start, polled and watched.</summary>
    private sealed class WatchedPartition : IDisposable
    {
        private readonly DevBroker broker;
        private readonly IConsumer<byte[], byte[]> consumer;

        private WatchedPartition(DevBroker broker, IConsumer<byte[], byte[]> consumer, KafkaConsumerOptions options)
        {
            this.broker = broker;
            this.consumer = consumer;
            consumer.Assign(new TopicPartitionOffset(Topics.Listen, 0, Offset.Beginning));
            Poller = new KafkaMessagePoller(consumer);
            Wakeup = new FetchWakeup(consumer, options);
            Wakeup.Watch([(Topics.Listen, 0)]);
        }

        public KafkaMessagePoller Poller { get; }

        public FetchWakeup Wakeup { get; }

        public static WatchedPartition Start(int messages, string group)
        {
            var broker = DevBroker.Start(partitions: 1);
            Produce(broker, messages);
            var options = Options(broker, group);
            return new WatchedPartition(broker, KafkaConsumerFactory.Create(options), options);
        }

        public void Dispose()
        {
            Wakeup.Dispose();
            Poller.Dispose();
            consumer.Dispose();
            broker.Dispose();
        }
    }
}
