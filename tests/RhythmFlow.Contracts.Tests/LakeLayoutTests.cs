using RhythmFlow.Contracts;

namespace RhythmFlow.Contracts.Tests;

public sealed class LakeLayoutTests
{
    [Fact]
    public void RawPartition_EventHour_IsHiveStyleAndZeroPadded()
    {
        var key = LakeLayout.RawPartition(Topics.Listen, new DateTimeOffset(2026, 3, 9, 7, 41, 5, TimeSpan.Zero));

        key.ShouldBe("raw/listen_events/date=2026-03-09/hour=07");
    }

    [Fact]
    public void RawPartition_NonUtcInstant_UsesTheUtcHour()
    {
        var key = LakeLayout.RawPartition(Topics.Auth, new DateTimeOffset(2026, 3, 9, 1, 0, 0, TimeSpan.FromHours(2)));

        key.ShouldBe("raw/auth_events/date=2026-03-08/hour=23");
    }

    [Fact]
    public void RawPartition_UnknownTopic_Throws()
    {
        Should.Throw<ArgumentException>(() => LakeLayout.RawPartition("../etc", DateTimeOffset.UnixEpoch))
            .Message.ShouldContain("Allowed topics");
    }

    [Fact]
    public void TryParseRawPartition_FileKey_ReturnsTopicAndHour()
    {
        LakeLayout.TryParseRawPartition("raw/page_view_events/date=2026-03-09/hour=23/batch-1.parquet", out var topic, out var hour)
            .ShouldBeTrue();

        topic.ShouldBe(Topics.PageView);
        hour.ShouldBe(new DateTimeOffset(2026, 3, 9, 23, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("raw/unknown_events/date=2026-03-09/hour=23")]
    [InlineData("raw/listen_events/date=2026-13-09/hour=23")]
    [InlineData("quarantine/listen_events/date=2026-03-09")]
    public void TryParseRawPartition_NotARawPartition_ReturnsFalse(string key) =>
        LakeLayout.TryParseRawPartition(key, out _, out _).ShouldBeFalse();

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("name with space")]
    public void RequireSafeSegment_UnsafeSegment_Throws(string segment) =>
        Should.Throw<ArgumentException>(() => LakeLayout.RequireSafeSegment(segment));
}
