using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using Serilog.Core;

namespace RhythmFlow.Orchestration.Tests;

public sealed class DemoLandingTests
{
    [Theory]
    [InlineData("2026-03-29T14:00:00.000Z", "2026-03-29T14:00:00Z")]
    [InlineData("2026-03-29T14:01:59.999Z", "2026-03-29T14:00:00Z")]
    [InlineData("2026-03-29T14:02:00.000Z", "2026-03-29T14:02:00Z")]
    [InlineData("2026-03-29T14:59:30.000Z", "2026-03-29T14:58:00Z")]
    public void WindowOf_EventTime_StartOfItsTwoMinuteWindowAsTheLandingDagSchedulesIt(string eventTime, string windowStart)
    {
        // Given
        var timestamp = DateTimeOffset.Parse(eventTime, System.Globalization.CultureInfo.InvariantCulture);

        // When
        var window = DemoLanding.WindowOf(timestamp);

        // Then
        window.ShouldBe(DateTimeOffset.Parse(windowStart, System.Globalization.CultureInfo.InvariantCulture));
        window.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task StartAsync_LakeFromAnEarlierDemo_RefusedBeforeLanding()
    {
        // Given: a lake whose commit log already holds a batch (from a broker that is gone)
        var root = Directory.CreateTempSubdirectory("rhythmflow-demo-lake-").FullName;
        try
        {
            var log = await LakeCommitLog.OpenAsync(new LocalLakeStorage(root, TimeProvider.System));
            await log.AppendAsync(new LakeCommit(
                0, "b1", LakeCommitKind.Batch, DateTimeOffset.UnixEpoch, "test/1", "rhythmflow-demo-land", [new OffsetRange(Topics.Listen, 0, 0, 10)], [], [], [], null));
            using var broker = DevBroker.Start(1);

            // When
            var refused = await Should.ThrowAsync<UsageException>(() =>
                DemoLanding.StartAsync(broker, root, DateTimeOffset.UnixEpoch, Logger.None, TimeProvider.System, CancellationToken.None));

            // Then: the message says why and what to do, and the lake is left as it was
            refused.Message.ShouldContain("already holds 1 commit records");
            refused.Hint.ShouldNotBeNull().ShouldContain("--work-dir");
            Directory.GetFiles(Path.Combine(root, LakeCommitLog.Folder)).Length.ShouldBe(1);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
