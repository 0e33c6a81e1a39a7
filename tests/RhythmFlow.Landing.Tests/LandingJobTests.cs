using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;


namespace RhythmFlow.Landing.Tests;

public sealed class LandingJobTests : IDisposable
{
    private readonly TempLake lake = new();
    private readonly DevBroker broker = DevBroker.Start(partitions: 2);

    public void Dispose()
    {
        broker.Dispose();
        lake.Dispose();
    }

    private KafkaConsumerOptions Consumer(string group = "landing-test") => new() { BootstrapServers = broker.BootstrapServers, GroupId = group, SessionTimeoutMs = 6_000 };

    private LandingJob Job(
        LandingOptions? options = null, TimeProvider? time = null, string group = "landing-test", Action<LakeCommit>? committed = null,
        IReadOnlyList<string>? topics = null, Lake.Storage.ILakeStorage? storage = null) =>
        new(options ?? new LandingOptions { BrokerTimeout = TimeSpan.FromSeconds(20) }, Consumer(group), storage ?? lake.Storage, time ?? TimeProvider.System, Serilog.Core.Logger.None)
        {
            Committed = committed,
            Topics = topics ?? Topics.All,
        };

    /// <summary>Produces <paramref name="perTopic"/> valid events to every topic; returns them by (topic, sessionId, item).</summary>
    private async Task<HashSet<(string Topic, long Session, int Item)>> ProduceValidAsync(int perTopic, int sessionBase = 1)
    {
        var produced = new HashSet<(string, long, int)>();
        await using var sink = await KafkaEventSink.CreateAsync(
            new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers, Partitions = 2, Librdkafka = { ["message.max.bytes"] = "8000000" } });
        foreach (var topic in Topics.All)
        {
            for (var i = 0; i < perTopic; i++)
            {
                var session = sessionBase + (i / 10);
                var ts = SampleEvents.Ts.AddMinutes(i % 90).ToUnixTimeMilliseconds();
                sink.Write(topic, session, SampleEvents.Bytes(SampleEvents.For(topic, ts, session, i % 10)));
                produced.Add((topic, session, i % 10));
            }
        }

        await sink.FlushAsync(default);
        return produced;
    }

    [Fact]
    public async Task RunAsync_OnceWithPoisonMessages_LandsValidOnesAndQuarantinesEachKindWithItsRule()
    {
        // Given valid events around eleven kinds of poison in listen_events
        var valid = await ProduceValidAsync(50);
        var listen = SampleEvents.For(Topics.Listen);
        var poison = new (string Rule, byte[] Bytes)[]
        {
            ("json", "not json at all"u8.ToArray()),
            ("json", Encoding.UTF8.GetBytes(listen.ToJsonString()[..40])),
            ("utf8", [.. "{\"artist\":\""u8, 0xC3, 0x28, .. "\"}"u8]),
            ("schema.type", Encoding.UTF8.GetBytes(listen.ToJsonString().Replace("\"sessionId\":1", "\"sessionId\":\"1\"", StringComparison.Ordinal))),
            ("schema.required", Mutate(listen, o => o.Remove("song"))),
            ("schema.enum", Mutate(SampleEvents.For(Topics.PageView), o => o["page"] = "Casino")),
            ("schema.enum", Mutate(listen, o => o["auth"] = "Hacker")),
            ("schema.minimum", Mutate(listen, o => o["duration"] = -5.0)),
            ("ts-window", Mutate(listen, o => o["ts"] = SampleEvents.Ts.AddYears(5).ToUnixTimeMilliseconds())),
            ("empty", []),
            ("too-large", Encoding.UTF8.GetBytes(new string('x', 5 * 1024 * 1024))),
            ("schema.enum", Mutate(listen, o => o["level"] = "gold")),
        };
        await using (var sink = await KafkaEventSink.CreateAsync(
            new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers, Partitions = 2, Librdkafka = { ["message.max.bytes"] = "8000000" } }))
        {
            foreach (var (_, bytes) in poison)
            {
                sink.Write(bytes.Length > 0 && bytes[0] == '{' && bytes.Length < 100_000 && Encoding.UTF8.GetString(bytes).Contains("\"page\"", StringComparison.Ordinal) ? Topics.PageView : Topics.Listen, 7, bytes);
            }

            await sink.FlushAsync(default);
        }

        // When
        var summary = await Job(time: new ManualTime(SampleEvents.Ts.AddHours(2))).RunAsync(LandingMode.Once, default);

        // Then
        var rows = await LakeContents.ReadAsync(lake.Storage);
        rows.Select(r => (r.Topic, r.SessionId, r.ItemInSession)).ToHashSet().SetEquals(valid).ShouldBeTrue();
        rows.Count.ShouldBe(valid.Count);
        summary.Quarantined.ShouldBe(poison.Length);
        var log = await LakeCommitLog.OpenAsync(lake.Storage);
        var byRule = log.QuarantineTotals().GroupBy(q => q.Rule).ToDictionary(g => g.Key, g => g.Sum(q => q.Count));
        foreach (var group in poison.GroupBy(p => p.Rule))
        {
            byRule.GetValueOrDefault(group.Key).ShouldBe(group.Count(), $"rule {group.Key}");
        }

        var quarantineLines = log.Commits.SelectMany(c => c.Files).Where(f => f.Kind == LakeFileKind.Quarantine).Sum(f => f.Rows);
        quarantineLines.ShouldBe(poison.Length);
    }

    private static byte[] Mutate(System.Text.Json.Nodes.JsonObject source, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var copy = (System.Text.Json.Nodes.JsonObject)source.DeepClone();
        change(copy);
        return SampleEvents.Bytes(copy);
    }

    [Fact]
    public async Task RunAsync_OnceWhileAnotherMemberHoldsTheGroup_LandsEveryPartitionWithoutRebalancingIt()
    {
        // Given a continuous member of the landing group that holds every partition
        var produced = await ProduceValidAsync(20);
        var revoked = 0;
        using var member = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(
                new Confluent.Kafka.ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "landing-test", SessionTimeoutMs = 6_000, EnableAutoCommit = false })
            .SetPartitionsRevokedHandler((_, _) => revoked++)
            .Build();
        member.Subscribe(Topics.All);
        var allPartitions = Topics.All.Count * 2;
        for (var polls = 0; member.Assignment.Count < allPartitions && polls < 300; polls++)
        {
            member.Consume(TimeSpan.FromMilliseconds(100));
        }

        member.Assignment.Count.ShouldBe(allPartitions);

        // When a bounded run lands with the same group
        var summary = await Job().RunAsync(LandingMode.Once, default);

        // Then it read every partition itself, and the member was never asked to give any up
        summary.Written.ShouldBe(produced.Count);
        member.Consume(TimeSpan.FromSeconds(1));
        revoked.ShouldBe(0);
        member.Assignment.Count.ShouldBe(allPartitions);
    }

    [Fact]
    public async Task RunAsync_OnceAfterEarlierRun_LandsOnlyNewEventsExactlyOnce()
    {
        // Given a first run that landed everything produced so far
        var first = await ProduceValidAsync(100);
        await Job().RunAsync(LandingMode.Once, default);

        // When more events arrive and the job runs again (new process, same lake; its Kafka group offsets are ignored)
        var second = await ProduceValidAsync(100, sessionBase: 1_000);
        var summary = await Job(group: "another-group").RunAsync(LandingMode.Once, default);

        // Then
        summary.Written.ShouldBe(second.Count);
        var rows = await LakeContents.ReadAsync(lake.Storage);
        rows.Count.ShouldBe(first.Count + second.Count);
        rows.Select(r => (r.Topic, r.Partition, r.Offset)).Distinct().Count().ShouldBe(rows.Count);
    }

    [Fact]
    public async Task RunAsync_TwoOverlappingOnceRuns_LandEveryEventOnceWhicheverBatchesAreFenced()
    {
        // Given 2,000 events and two runs on the same lake at once, each closing a batch every 100 records, so each has
        // a batch writing its files while the one before it commits, and their appends race on the commit log
        var produced = await ProduceValidAsync(500);
        var options = new LandingOptions { MaxRecords = 100, BrokerTimeout = TimeSpan.FromSeconds(20) };

        // When
        var runs = await Task.WhenAll(Job(options, group: "overlap-a").RunAsync(LandingMode.Once, default), Job(options, group: "overlap-b").RunAsync(LandingMode.Once, default));

        // Then the commits of both runs add up to every event exactly once, however many batches the log fenced
        runs.Sum(r => r.Written).ShouldBe(produced.Count);
        var rows = await LakeContents.ReadAsync(lake.Storage);
        rows.Count.ShouldBe(produced.Count);
        rows.Select(r => (r.Topic, r.Partition, r.Offset)).Distinct().Count().ShouldBe(produced.Count);
    }

    [Fact]
    public async Task RunAsync_MaxRecords_ClosesBatchesOfThatSize()
    {
        await ProduceValidAsync(100);

        var summary = await Job(new LandingOptions { MaxRecords = 150, BrokerTimeout = TimeSpan.FromSeconds(20) }).RunAsync(LandingMode.Once, default);

        summary.Commits.Count.ShouldBeGreaterThanOrEqualTo(3);
        summary.Commits.ShouldAllBe(c => c.Stats!.Records <= 150);
        summary.Commits.Count(c => c.Stats!.CloseReason == "max-records").ShouldBeGreaterThanOrEqualTo(2);
        summary.Records.ShouldBe(400);
    }

    [Fact]
    public async Task RunAsync_MaxBytes_ClosesBatchOnBytes()
    {
        await ProduceValidAsync(100);

        var summary = await Job(new LandingOptions { MaxBytes = 20_000, BrokerTimeout = TimeSpan.FromSeconds(20) }).RunAsync(LandingMode.Once, default);

        summary.Commits.Count(c => c.Stats!.CloseReason == "max-bytes").ShouldBeGreaterThanOrEqualTo(2);
        summary.Records.ShouldBe(400);
    }

    [Fact]
    public async Task RunAsync_ContinuousIntervalElapsesThenCancelled_CommitsOnIntervalAndOnShutdown()
    {
        // Given a continuous job on a hand-moved clock
        await ProduceValidAsync(20);
        var time = new ManualTime(SampleEvents.Ts.AddHours(1));
        var commits = new List<LakeCommit>();
        using var stop = new CancellationTokenSource();
        var job = Job(new LandingOptions { MaxInterval = TimeSpan.FromMinutes(2), BrokerTimeout = TimeSpan.FromSeconds(20) }, time, committed: commits.Add);
        var run = job.RunAsync(LandingMode.Continuous, stop.Token);

        // When two simulated minutes pass once the first events are in, then more arrive and the job is stopped
        await WaitUntilAsync(() => Directory.GetFiles(lake.Root, "*.part", SearchOption.AllDirectories).Length > 0);
        await Task.Delay(500);
        time.Advance(TimeSpan.FromMinutes(3));
        await WaitUntilAsync(() => commits.Count >= 1);
        await ProduceValidAsync(5, sessionBase: 500);
        await Task.Delay(1_000);
        stop.Cancel();
        var summary = await run;

        // Then
        summary.Commits[0].Stats!.CloseReason.ShouldBe("max-interval");
        summary.Commits[^1].Stats!.CloseReason.ShouldBe("shutdown");
        summary.Records.ShouldBe(100);
    }

    [Fact]
    public async Task RunAsync_StorageFailsOnATopicsLaneThread_FailsTheRunAndCommitsNothing()
    {
        // Given events in every topic and a lake that refuses to begin Parquet uploads of page views
        await ProduceValidAsync(600);
        var storage = new RefusingStorage(lake.Storage, $"raw/{Topics.PageView}/");

        // When the job lands them
        var error = await Should.ThrowAsync<IOException>(() => Job(storage: storage).RunAsync(LandingMode.Once, default));

        // Then the lane's failure ends the run on the consume thread and no batch reached the commit log
        error.Message.ShouldContain(Topics.PageView);
        (await LakeCommitLog.OpenAsync(lake.Storage)).Commits.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_BrokerUnreachable_FailsAfterBrokerTimeoutNamingIt()
    {
        var job = new LandingJob(
            new LandingOptions { BrokerTimeout = TimeSpan.FromSeconds(2) },
            new KafkaConsumerOptions { BootstrapServers = "127.0.0.1:1", GroupId = "nobody" },
            lake.Storage,
            TimeProvider.System,
            Serilog.Core.Logger.None);

        var error = await Should.ThrowAsync<RhythmFlowException>(() => job.RunAsync(LandingMode.Once, default));

        error.Message.ShouldContain("--broker-timeout");
        error.Hint.ShouldNotBeNull();
    }

    [Fact]
    public async Task RunAsync_OnceAfterBrokerTrimmedOffsets_ReportsAndRecordsTheGap()
    {
        // Given a run that landed offsets 0..9 of one partition, then more produced than the dev broker retains (5 MiB)
        const string topic = Topics.Listen;
        var partition = new Confluent.Kafka.TopicPartition(topic, 0);
        using var producer = new Confluent.Kafka.ProducerBuilder<byte[], byte[]>(new Confluent.Kafka.ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        for (var i = 0; i < 10; i++)
        {
            producer.Produce(partition, new() { Value = SampleEvents.Bytes(SampleEvents.For(topic, SampleEvents.Ts.ToUnixTimeMilliseconds(), 1, i)) });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        (await Job(topics: [topic]).RunAsync(LandingMode.Once, default)).Gaps.ShouldBeEmpty();
        var filler = new byte[64 * 1024];
        for (var i = 0; i < 100; i++)
        {
            producer.Produce(partition, new() { Value = filler });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers });
        var logStart = admin.Watermarks(partition).Low.Value;
        logStart.ShouldBeGreaterThan(10);

        // When the job resumes (at offset 10), and a fresh lake lands the partition for the first time
        var resumed = await Job(topics: [topic]).RunAsync(LandingMode.Once, default);
        using var freshLake = new TempLake();
        var fresh = await Job(topics: [topic], storage: freshLake.Storage).RunAsync(LandingMode.Once, default);

        // Then each run reports exactly the trimmed range, and its commit record keeps it
        resumed.Gaps.ShouldBe([new OffsetGap(topic, 0, 10, logStart)]);
        (await LakeCommitLog.OpenAsync(lake.Storage)).Gaps().ShouldBe(resumed.Gaps);
        fresh.Gaps.ShouldBe([new OffsetGap(topic, 0, 0, logStart)]);
        (await LakeCommitLog.OpenAsync(freshLake.Storage)).Gaps().ShouldBe(fresh.Gaps);
        resumed.Records.ShouldBe(110 - logStart);
    }

    /// <summary>A lake whose uploads under one prefix cannot begin (a full disk, a revoked bucket permission).</summary>
    private sealed class RefusingStorage(Lake.Storage.ILakeStorage inner, string refusedPrefix) : Lake.Storage.ILakeStorage
    {
        public string Location => inner.Location;

        public Task<Lake.Storage.ILakeUpload> BeginUploadAsync(string key, CancellationToken cancellationToken) =>
            key.StartsWith(refusedPrefix, StringComparison.Ordinal)
                ? throw new IOException($"refused upload of {key}")
                : inner.BeginUploadAsync(key, cancellationToken);

        public Task<Stream?> TryOpenReadAsync(string key, CancellationToken cancellationToken) => inner.TryOpenReadAsync(key, cancellationToken);

        public IAsyncEnumerable<Lake.Storage.LakeObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public Task<int> DeleteAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken) => inner.DeleteAbandonedUploadsAsync(olderThan, cancellationToken);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        condition().ShouldBeTrue();
    }
}
