using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka.Tests;

public sealed class KafkaMessagePollerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryPoll_ProducedMessages_ReturnsEachWithItsCoordinatesTimestampAndValueThenTheEnd()
    {
        // Given a partition holding a JSON value, a null value and an empty value, with known timestamps
        using var broker = DevBroker.Start(partitions: 1);
        var produced = new DateTime(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            producer.Produce(Topics.Listen, new Message<byte[], byte[]> { Value = Encoding.UTF8.GetBytes("{\"song\":\"Só\"}"), Timestamp = new Timestamp(produced) });
            producer.Produce(Topics.Listen, new Message<byte[], byte[]> { Value = null!, Timestamp = new Timestamp(produced.AddSeconds(1)) });
            producer.Produce(Topics.Listen, new Message<byte[], byte[]> { Value = [], Timestamp = new Timestamp(produced.AddSeconds(2)) });
            producer.Flush(Wait);
        }

        using var consumer = KafkaConsumerFactory.Create(new KafkaConsumerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "poller-test",
            Librdkafka = { ["enable.partition.eof"] = "true" },
        });
        consumer.Assign(new TopicPartitionOffset(Topics.Listen, 0, Offset.Beginning));
        using var poller = new KafkaMessagePoller(consumer);

        // When polling until the partition's end
        var seen = new List<string>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Wait)
        {
            if (!poller.TryPoll(TimeSpan.FromMilliseconds(100), out var message))
            {
                continue;
            }

            seen.Add(message.IsPartitionEof
                ? $"{message.Topic}[{message.Partition}] end at {message.Offset}"
                : $"{message.Topic}[{message.Partition}]@{message.Offset} ts={message.TimestampMs} '{Encoding.UTF8.GetString(message.Value)}'");
            if (message.IsPartitionEof)
            {
                break;
            }
        }

        // Then each message comes with its own coordinates, timestamp and bytes, and the end of the partition follows
        var ms = new DateTimeOffset(produced).ToUnixTimeMilliseconds();
        seen.ShouldBe(
        [
            $"listen_events[0]@0 ts={ms} '{{\"song\":\"Só\"}}'",
            $"listen_events[0]@1 ts={ms + 1000} ''",
            $"listen_events[0]@2 ts={ms + 2000} ''",
            "listen_events[0] end at 3",
        ]);
    }

    [Fact]
    public void TryPoll_AfterDispose_ThrowsObjectDisposed()
    {
        // Given a poller that has been disposed
        using var broker = DevBroker.Start(partitions: 1);
        using var consumer = KafkaConsumerFactory.Create(new KafkaConsumerOptions { BootstrapServers = broker.BootstrapServers, GroupId = "poller-disposed" });
        var poller = new KafkaMessagePoller(consumer);
        poller.Dispose();

        // When polling again, then it refuses instead of touching a released handle
        Should.Throw<ObjectDisposedException>(() => poller.TryPoll(TimeSpan.Zero, out _));
    }
}
