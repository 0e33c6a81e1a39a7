using RhythmFlow.Contracts;
using RhythmFlow.Lake;

namespace RhythmFlow.Landing.Tests;

public sealed class LakeCommitLogTests : IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 3, 29, 14, 0, 0, TimeSpan.Zero);
    private readonly TempLake lake = new();

    public void Dispose() => lake.Dispose();

    internal static LakeCommit Batch(string id, params OffsetRange[] offsets) => new(
        0, id, LakeCommitKind.Batch, Hour, "test", "group", offsets,
        [new CommittedFile($"raw/{Topics.Listen}/date=2026-03-29/hour=14/part-{id}.parquet", LakeFileKind.Raw, Topics.Listen, Hour, 10, 100)],
        [new QuarantineCount(Topics.Listen, Hour, "schema", 2)], [], null);

    [Fact]
    public async Task AppendAsync_TwoBatches_ReopenedLogHasBothWithSequencesAndResumeOffsets()
    {
        // Given
        var writer = await LakeCommitLog.OpenAsync(lake.Storage);

        // When
        await writer.AppendAsync(Batch("b1", new OffsetRange(Topics.Listen, 0, 0, 50)));
        await writer.AppendAsync(Batch("b2", new OffsetRange(Topics.Listen, 0, 50, 80), new OffsetRange(Topics.Listen, 1, 0, 5)));
        var reader = await LakeCommitLog.OpenAsync(lake.Storage);

        // Then
        reader.Commits.Select(c => (c.Sequence, c.BatchId)).ShouldBe([(1L, "b1"), (2L, "b2")]);
        reader.NextOffsets[(Topics.Listen, 0)].ShouldBe(80);
        reader.NextOffsets[(Topics.Listen, 1)].ShouldBe(5);
        reader.RawFiles(Topics.Listen, Hour.AddMinutes(30)).Count().ShouldBe(2);
        reader.HoursChangedAfter(1).ShouldBe([(Topics.Listen, Hour)]);
        reader.QuarantineTotals().Single().Count.ShouldBe(4);
    }

    [Fact]
    public async Task AppendAsync_ZombieBatchOverlapsCommittedOffsets_ThrowsConflictAndWritesNothing()
    {
        // Given two writers that both read the empty log
        var owner = await LakeCommitLog.OpenAsync(lake.Storage);
        var zombie = await LakeCommitLog.OpenAsync(lake.Storage);
        await owner.AppendAsync(Batch("owner", new OffsetRange(Topics.Listen, 0, 0, 50)));

        // When the zombie commits a batch covering the same partition from the same start
        var conflict = await Should.ThrowAsync<LakeCommitConflictException>(
            () => zombie.AppendAsync(Batch("zombie", new OffsetRange(Topics.Listen, 0, 0, 70))));

        // Then
        conflict.Message.ShouldContain("landed it up to 50");
        (await LakeCommitLog.OpenAsync(lake.Storage)).Commits.Count.ShouldBe(1);
    }

    [Fact]
    public async Task AppendAsync_StaleWriterOnOtherPartition_TakesNextSequence()
    {
        var first = await LakeCommitLog.OpenAsync(lake.Storage);
        var second = await LakeCommitLog.OpenAsync(lake.Storage);
        await first.AppendAsync(Batch("p0", new OffsetRange(Topics.Listen, 0, 0, 50)));

        var commit = await second.AppendAsync(Batch("p1", new OffsetRange(Topics.Listen, 1, 0, 30)));

        commit.Sequence.ShouldBe(2);
    }

    [Fact]
    public async Task AppendAsync_BatchListsFileDeletedByRecovery_ThrowsConflict()
    {
        var log = await LakeCommitLog.OpenAsync(lake.Storage);
        var batch = Batch("late", new OffsetRange(Topics.Listen, 0, 0, 10));
        await log.AppendAsync(new LakeCommit(0, "recovery", LakeCommitKind.Recovery, Hour, "other", "group", [], [], [], [batch.Files[0].Key], null));

        await Should.ThrowAsync<LakeCommitConflictException>(() => log.AppendAsync(batch));
    }
}
