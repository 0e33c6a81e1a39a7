using RhythmFlow.Contracts;
using RhythmFlow.Landing.Batching;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Tests;

/// <summary>
/// A batch refuses to complete when its lanes did not land exactly the messages its offset ranges claim: the commit
/// record would otherwise make the lake hold an offset twice or miss one. The consume thread never hands over such
/// messages; these tests hand them over on purpose.
/// </summary>
public sealed class LandingBatchTests : IDisposable
{
    private readonly TempLake lake = new();
    private readonly ManualTime time = new(SampleEvents.Ts);

    public void Dispose() => lake.Dispose();

    [Fact]
    public async Task CompleteAsync_ConsecutiveOffsets_PublishesOneRowPerMessage()
    {
        // Given a batch handed offsets 5, 6 and 7 of one partition
        await using var batch = NewBatch();
        foreach (var offset in new long[] { 5, 6, 7 })
        {
            batch.Add(Layout, 0, 5, offset, 0, Event(item: (int)offset));
        }

        // When it completes
        var (files, _) = await batch.CompleteAsync(default);

        // Then its file holds the three rows its range 5..8 claims
        files.Sum(f => f.Rows).ShouldBe(3);
        batch.Offsets.Single().ShouldBe(new Lake.OffsetRange(Topics.PageView, 0, 5, 8));
        (await lake.Storage.ListAsync("raw/", default).ToListAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task CompleteAsync_OffsetHandedOverTwice_ThrowsNamingThePartitionAndPublishesNothing()
    {
        // Given a batch handed offset 6 of partition 2 twice
        await using var batch = NewBatch();
        foreach (var offset in new long[] { 5, 6, 6, 7 })
        {
            batch.Add(Layout, 2, 5, offset, 0, Event(item: (int)offset));
        }

        // When it completes
        var failure = await Should.ThrowAsync<RhythmFlowException>(() => batch.CompleteAsync(default));

        // Then it refuses, naming the partition and the offset, and no file is visible
        failure.Message.ShouldContain("offset 6 of partition 2 after offset 6");
        failure.Hint.ShouldNotBeNull().ShouldContain("not committed");
        (await lake.Storage.ListAsync("raw/", default).ToListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task CompleteAsync_MessageBelowItsRangeStart_ThrowsNamingTheRangeAndPublishesNothing()
    {
        // Given a batch whose partition range starts at 10 but which was handed offset 4
        await using var batch = NewBatch();
        batch.Add(Layout, 1, 10, 4, 0, Event(item: 4));
        batch.Add(Layout, 1, 10, 10, 0, Event(item: 10));

        // When it completes
        var failure = await Should.ThrowAsync<RhythmFlowException>(() => batch.CompleteAsync(default));

        // Then it refuses, saying what was consumed and what the lane landed
        failure.Message.ShouldContain("consumed 2 messages of page_view_events[1] in offsets 10..10, but its lane landed 2 in offsets 4..10");
        (await lake.Storage.ListAsync("raw/", default).ToListAsync()).ShouldBeEmpty();
    }

    private static TopicLayout Layout { get; } = new(Topics.PageView);

    private LandingBatch NewBatch() =>
        new(lake.Storage, time.GetUtcNow(), 1 << 20, () => new EventValidator(new LandingOptions(), time));

    private static byte[] Event(int item) => SampleEvents.Bytes(SampleEvents.For(Topics.PageView, SampleEvents.Ts.ToUnixTimeMilliseconds(), item: item));
}
