namespace RhythmFlow.Transform;

/// <summary>What loading one topic of one hour did.</summary>
public sealed record TopicLoad(string Topic, int Files, long RowsRead, long Duplicates, long RowsLoaded, long OutsideHour);

/// <summary>The per-hour summary: rows read, duplicates removed, rows loaded, and whether it was a late-data rebuild.</summary>
public sealed record HourReport(DateTimeOffset Hour, bool Late, IReadOnlyList<TopicLoad> Topics, double Seconds)
{
    public long RowsRead => Topics.Sum(t => t.RowsRead);

    public long Duplicates => Topics.Sum(t => t.Duplicates);

    public long RowsLoaded => Topics.Sum(t => t.RowsLoaded);
}

/// <summary>A whole run: the interval's hours, then the earlier hours rebuilt because late batches reached them.</summary>
public sealed record TransformReport(IReadOnlyList<HourReport> Hours)
{
    public int LateHoursRebuilt => Hours.Count(h => h.Late);
}

/// <summary>Progress while a run works: which hour, and how far through the rows of its files.</summary>
public sealed record TransformProgress(DateTimeOffset Hour, bool Late, int HourIndex, int HourCount, long RowsRead);
