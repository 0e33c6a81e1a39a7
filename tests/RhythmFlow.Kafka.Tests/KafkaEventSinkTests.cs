using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka.Tests;

public sealed class KafkaEventSinkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Write_ManyUsersOnFourTopics_EveryEventIsConsumedOnceWithItsUserKeyInUserOrder()
    {
        // Given
        using var broker = DevBroker.Start(partitions: 3);
        const int users = 50;
        const int eventsPerUser = 80;
        var expected = new Dictionary<string, List<(long User, int Sequence)>>(StringComparer.Ordinal);
        await using (var sink = await KafkaEventSink.CreateAsync(Producer(broker)))
        {
            // When
            for (var sequence = 0; sequence < eventsPerUser; sequence++)
            {
                for (long user = 1; user <= users; user++)
                {
                    var topic = Topics.All[(int)((user + sequence) % Topics.All.Count)];
                    sink.Write(topic, user, Encoding.UTF8.GetBytes($"{{\"userId\":{user},\"seq\":{sequence}}}"));
                    (expected.TryGetValue(topic, out var list) ? list : expected[topic] = []).Add((user, sequence));
                }
            }

            await sink.FlushAsync(CancellationToken.None);
            sink.Delivered.ShouldBe(users * eventsPerUser);
        }

        // Then
        var consumed = ConsumeAll(broker, "round-trip", users * eventsPerUser);
        consumed.Count.ShouldBe(users * eventsPerUser);
        consumed.Select(m => (m.Topic, m.Partition.Value, m.Offset.Value)).Distinct().Count().ShouldBe(consumed.Count);
        foreach (var message in consumed)
        {
            using var json = JsonDocument.Parse(message.Message.Value);
            Encoding.UTF8.GetString(message.Message.Key)
                .ShouldBe(json.RootElement.GetProperty("userId").GetInt64().ToString(CultureInfo.InvariantCulture));
        }

        foreach (var topic in Topics.All)
        {
            var byUser = consumed.Where(m => m.Topic == topic)
                .OrderBy(m => m.Partition.Value).ThenBy(m => m.Offset.Value)
                .Select(m => JsonDocument.Parse(m.Message.Value).RootElement)
                .Select(e => (User: e.GetProperty("userId").GetInt64(), Sequence: e.GetProperty("seq").GetInt32()))
                .ToList();
            byUser.OrderBy(e => e.User).ShouldBe(expected[topic].OrderBy(e => e.User), "per-user order within a topic");
        }
    }

    [Fact]
    public async Task FlushAsync_BrokerRejectsProduceRequests_FailsNamingTopicPartitionAndError()
    {
        // Given
        using var broker = DevBroker.Start(partitions: 1);
        await using var sink = await KafkaEventSink.CreateAsync(Producer(broker));
        broker.FailNextRequests(ApiKeyProduce, Enumerable.Repeat(ErrorCode.TopicAuthorizationFailed, 10).ToArray());

        // When
        sink.Write(Topics.Listen, 7, """{"userId":7}"""u8);
        var failure = await Should.ThrowAsync<RhythmFlowException>(() => sink.FlushAsync(CancellationToken.None));

        // Then
        failure.Message.ShouldContain("topic 'listen_events' partition 0");
        failure.Message.ShouldContain("TOPIC_AUTHORIZATION_FAILED");
        Should.Throw<RhythmFlowException>(() => sink.Write(Topics.Listen, 7, """{"userId":7}"""u8));
    }

    [Fact]
    public async Task Write_NoFurtherWritesOrFlush_DeliveryReportsAreStillServed()
    {
        // Given a sink that wrote a few events (fewer than the writer's inline poll interval)
        using var broker = DevBroker.Start(partitions: 2);
        await using var sink = await KafkaEventSink.CreateAsync(Producer(broker));
        for (long user = 1; user <= 10; user++)
        {
            sink.Write(Topics.PageView, user, """{"userId":1}"""u8);
        }

        // When nobody writes or flushes
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        while (sink.Delivered < 10 && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
        }

        // Then the background poll counted every acknowledgement
        sink.Delivered.ShouldBe(10);
    }

    [Fact]
    public async Task Write_DeliveryFailedWhileIdle_NextWriteThrowsWithoutAFlush()
    {
        // Given a broker that rejects produce requests and one event written
        using var broker = DevBroker.Start(partitions: 1);
        await using var sink = await KafkaEventSink.CreateAsync(Producer(broker));
        broker.FailNextRequests(ApiKeyProduce, Enumerable.Repeat(ErrorCode.TopicAuthorizationFailed, 10).ToArray());
        sink.Write(Topics.Listen, 7, """{"userId":7}"""u8);

        // When the writer comes back later
        RhythmFlowException? failure = null;
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        while (failure is null && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(100);
            failure = Record.Exception(() => sink.Write(Topics.Listen, 7, """{"userId":7}"""u8)) as RhythmFlowException;
        }

        // Then its write reports the failed delivery
        failure.ShouldNotBeNull();
        failure.Message.ShouldContain("TOPIC_AUTHORIZATION_FAILED");
    }

    [Fact]
    public async Task CreateAsync_InvalidOptions_NamesTheSettingAndAllowedValues()
    {
        var options = new KafkaProducerOptions { BootstrapServers = "localhost", Compression = "brotli", Partitions = 0 };

        var failure = await Should.ThrowAsync<InvalidSettingException>(() => KafkaEventSink.CreateAsync(options));

        failure.Message.ShouldContain("Kafka:BootstrapServers");
        failure.Message.ShouldContain("Setting 'Kafka:Compression' must be one of 'none', 'gzip', 'snappy', 'lz4', 'zstd'; got 'brotli'.");
        failure.Message.ShouldContain("Setting 'Kafka:Partitions' must be between 1 and 10000; got '0'.");
    }

    private const short ApiKeyProduce = 0;

    private static KafkaProducerOptions Producer(DevBroker broker) =>
        new() { BootstrapServers = broker.BootstrapServers, LingerMs = 5, DeliveryTimeoutMs = 10_000 };

    internal static List<ConsumeResult<byte[], byte[]>> ConsumeAll(DevBroker broker, string group, int count)
    {
        using var consumer = KafkaConsumerFactory.Create(new KafkaConsumerOptions { BootstrapServers = broker.BootstrapServers, GroupId = group });
        consumer.Subscribe(Topics.All);
        var consumed = new List<ConsumeResult<byte[], byte[]>>();
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (consumed.Count < count && patience.Elapsed < Patience)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                consumed.Add(result);
            }
        }

        // Nothing more arrives after the expected count: a duplicate would show up here.
        while (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } extra)
        {
            consumed.Add(extra);
        }

        consumer.Close();
        return consumed;
    }
}
