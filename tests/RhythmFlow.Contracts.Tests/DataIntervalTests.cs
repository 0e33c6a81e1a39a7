using RhythmFlow.Contracts;

namespace RhythmFlow.Contracts.Tests;

public sealed class DataIntervalTests
{
    [Fact]
    public void Parse_TimestampWithoutOffset_IsTakenAsUtc()
    {
        var interval = DataInterval.Parse("2026-03-29T14:00:00", "2026-03-29T15:00:00Z");

        interval.Start.ShouldBe(new DateTimeOffset(2026, 3, 29, 14, 0, 0, TimeSpan.Zero));
        interval.End.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void Parse_OffsetTimestamp_IsConvertedToUtc()
    {
        var interval = DataInterval.Parse("2026-03-29T16:00:00+02:00", "2026-03-29T17:00:00+02:00");

        interval.Start.ShouldBe(new DateTimeOffset(2026, 3, 29, 14, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Parse_EndNotAfterStart_ThrowsNamingBothBounds()
    {
        var error = Should.Throw<ArgumentException>(() => DataInterval.Parse("2026-03-29T15:00:00Z", "2026-03-29T15:00:00Z"));

        error.Message.ShouldContain("must be after its start");
    }

    [Fact]
    public void Parse_Garbage_ThrowsNamingTheOption()
    {
        var error = Should.Throw<FormatException>(() => DataInterval.Parse("yesterday", "2026-03-29T15:00:00Z"));

        error.Message.ShouldContain("--interval-start 'yesterday'");
    }

    [Fact]
    public void Hours_PartialHours_CoverEveryOverlappingHour()
    {
        var interval = DataInterval.Parse("2026-03-29T14:30:00Z", "2026-03-29T16:10:00Z");

        interval.Hours().Select(h => h.Hour).ShouldBe([14, 15, 16]);
    }
}
