namespace RhythmFlow.Dashboard;

/// <summary>What the page needs before its first query: the days with data and the states seen.</summary>
public sealed record DashboardMeta(bool MartsBuilt, IReadOnlyList<string> Days, IReadOnlyList<StateName> States);

public sealed record StateName(string Code, string Name);

/// <summary>The scorecards of one day (and state, when filtered). Ratios are null when their denominator is zero.</summary>
public sealed record Scorecards(
    string Date,
    string PreviousDate,
    long Streams,
    long PreviousStreams,
    double? StreamsChange,
    long ActiveUsers,
    long NewUsers,
    double? PaidShare,
    long Sessions,
    double? MedianSessionSeconds);

public sealed record StateActivity(string StateCode, string StateName, long Streams, long Listeners);

public sealed record TopSong(long Rank, string SongTitle, string ArtistName, long Streams);

public sealed record TopArtist(long Rank, string ArtistName, long Streams);

public sealed record GenderLevel(string Gender, string Level, long ActiveUsers);

/// <summary>Streams in one UTC hour of the selected day and of the day before.</summary>
public sealed record HourlyStreams(int Hour, long Streams, long PreviousStreams);

public sealed record ConversionFunnel(long FreeUsers, long UpgradePageUsers, long UpgradedUsers);

/// <summary>One day of the trend: conversion (free → paid) and churn (downgrades, cancellations).</summary>
public sealed record DailyTrend(
    string Date,
    long ActiveUsers,
    long FreeUsers,
    long UpgradedUsers,
    double? ConversionRate,
    long PaidUsers,
    long DowngradedUsers,
    long CancelledUsers,
    double? DowngradeRate,
    double? ChurnRate);

/// <summary>The filters every chart takes: a UTC day and optionally a two-letter state code.</summary>
public sealed record DashboardFilter(DateOnly Date, string? State)
{
    public DateOnly PreviousDate => Date.AddDays(-1);

    /// <summary>The marts' integer date key (yyyymmdd) of <paramref name="day"/>.</summary>
    public static int DateKey(DateOnly day) => (day.Year * 10000) + (day.Month * 100) + day.Day;
}
