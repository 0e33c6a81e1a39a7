using System.Text;
using Confluent.Kafka;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka.Tests;

public sealed class DevBrokerProcessTests
{
    [Fact]
    public async Task DevBrokerVerb_Started_PrintsTheBootstrapLineFirstServesKcatAndStopsCleanlyOnSigterm()
    {
        // Given
        var (broker, firstLine, servers) = await CliProcess.StartDevBrokerAsync("--partitions", "2");
        using var _ = broker;
        firstLine.ShouldMatch(@"^bootstrap\.servers=127\.0\.0\.1:\d+$");

        // When
        var metadata = await CliProcess.RunAsync("kcat", ["-b", servers, "-L", "-t", Topics.Listen]);
        var produced = await CliProcess.RunAsync("kcat", ["-b", servers, "-P", "-t", Topics.Listen, "-K", ":"], "7:one\n7:two\n9:three\n");
        var consumed = await CliProcess.RunAsync("kcat", ["-b", servers, "-C", "-t", Topics.Listen, "-e", "-q", "-f", "%k=%s\n"]);

        // Then
        metadata.Stdout.ShouldContain("topic \"listen_events\" with 2 partitions");
        produced.ExitCode.ShouldBe(0, produced.Stderr);
        consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order()
            .ShouldBe(["7=one", "7=two", "9=three"], ignoreOrder: false);
        consumed.Stdout.IndexOf("7=one", StringComparison.Ordinal).ShouldBeLessThan(consumed.Stdout.IndexOf("7=two", StringComparison.Ordinal));
        (await broker.TerminateAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task ConsumerGroup_SecondMemberJoinsThenFirstLeaves_OnlyCommittedOffsetsSurviveTheRebalances()
    {
        // Given: the broker in its own process, the way the landing job meets it, and a member that consumed and committed
        var (broker, _, servers) = await CliProcess.StartDevBrokerAsync("--partitions", "4");
        using var _ = broker;
        await ProduceAsync(servers, 0, 40);
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = servers });
        admin.MessageCount(Topics.Auth).ShouldBe(40);
        var revokedFromFirst = new List<TopicPartitionOffset>();
        // The mock cluster completes a rebalance only when its session-timeout timer fires, so keep it short.
        var options = new KafkaConsumerOptions
        {
            BootstrapServers = servers,
            GroupId = "rebalance",
            SessionTimeoutMs = 3_000,
            Librdkafka = { ["heartbeat.interval.ms"] = "500" },
        };
        using var first = KafkaConsumerFactory.Create(options, new KafkaRebalanceHandlers
        {
            Revoked = (_, partitions) => revokedFromFirst.AddRange(partitions),
        });
        first.Subscribe(Topics.Auth);
        var before = Poll([first], () => true, 40);
        first.Commit(before.Select(m => new TopicPartitionOffset(m.TopicPartition, m.Offset + 1)));

        // When: a second member joins, new events arrive, then the first member leaves
        using var second = KafkaConsumerFactory.Create(options);
        second.Subscribe(Topics.Auth);
        var redelivered = Poll([first, second], () => first.Assignment.Count == 2 && second.Assignment.Count == 2, 0);
        await ProduceAsync(servers, 40, 40);
        var during = Poll([first, second], () => true, 40);
        first.Close();
        var afterLeave = Poll([second], () => second.Assignment.Count == 4, 40);

        // Then
        before.Count.ShouldBe(40);
        revokedFromFirst.Select(p => p.Partition.Value).Distinct().Order().ToArray().ShouldBe(new[] { 0, 1, 2, 3 }, "all four are revoked when the second member joins");
        redelivered.ShouldBeEmpty("committed offsets hold across a rebalance");
        during.Select(m => (m.Partition.Value, m.Offset.Value)).Distinct().Count().ShouldBe(40);
        second.Assignment.Count.ShouldBe(4);
        afterLeave.Select(m => (m.Partition.Value, m.Offset.Value)).Order()
            .ShouldBe(during.Select(m => (m.Partition.Value, m.Offset.Value)).Order(), "uncommitted events are read again after the rebalance");
        admin.Watermarks(new TopicPartition(Topics.Auth, 0)).High.Value
            .ShouldBe(before.Concat(during).Count(m => m.Partition.Value == 0));
        (await broker.TerminateAsync()).ShouldBe(0);
    }

    private static async Task ProduceAsync(string servers, long firstUser, int count)
    {
        await using var sink = await KafkaEventSink.CreateAsync(new KafkaProducerOptions { BootstrapServers = servers, LingerMs = 1 });
        for (var user = firstUser; user < firstUser + count; user++)
        {
            sink.Write(Topics.Auth, user, Encoding.UTF8.GetBytes($"{{\"userId\":{user}}}"));
        }

        await sink.FlushAsync(CancellationToken.None);
    }

    /// <summary>Polls the members in turn until the condition holds and at least <paramref name="messages"/> arrived, then drains briefly.</summary>
    private static List<ConsumeResult<byte[], byte[]>> Poll(IConsumer<byte[], byte[]>[] members, Func<bool> ready, int messages)
    {
        var results = new List<ConsumeResult<byte[], byte[]>>();
        var patience = System.Diagnostics.Stopwatch.StartNew();
        var quiet = 0;
        while (patience.Elapsed < TimeSpan.FromSeconds(30) && (!ready() || results.Count < messages || quiet < 10))
        {
            var any = false;
            foreach (var member in members)
            {
                if (member.Consume(TimeSpan.FromMilliseconds(50)) is { } result)
                {
                    results.Add(result);
                    any = true;
                }
            }

            quiet = any ? 0 : quiet + 1;
        }

        return results;
    }
}
