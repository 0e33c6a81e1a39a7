using System.Globalization;

namespace RhythmFlow.Contracts;

/// <summary>
/// A half-open UTC interval [Start, End), the unit by which Airflow addresses a task run
/// (<c>--interval-start</c>/<c>--interval-end</c>).
/// </summary>
public readonly record struct DataInterval
{
    public DataInterval(DateTimeOffset start, DateTimeOffset end)
    {
        if (start.Offset != TimeSpan.Zero || end.Offset != TimeSpan.Zero)
        {
            throw new ArgumentException($"Data interval bounds must be UTC; got {start:o} and {end:o}.");
        }

        if (end <= start)
        {
            throw new ArgumentException($"Data interval end {end:o} must be after its start {start:o}.");
        }

        Start = start;
        End = end;
    }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    /// <summary>Parses two ISO-8601 timestamps; a timestamp without an offset is taken as UTC.</summary>
    public static DataInterval Parse(string start, string end) =>
        new(ParseUtc(start, "--interval-start"), ParseUtc(end, "--interval-end"));

    public static DateTimeOffset ParseUtc(string value, string optionName)
    {
        if (!DateTimeOffset.TryParse(
                value,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var parsed))
        {
            throw new FormatException(
                $"{optionName} '{value}' is not an ISO-8601 timestamp; use a form like 2026-03-29T14:00:00Z.");
        }

        return parsed.ToUniversalTime();
    }

    /// <summary>The whole event hours that overlap the interval, in order.</summary>
    public IEnumerable<DateTimeOffset> Hours()
    {
        var hour = TruncateToHour(Start);
        while (hour < End)
        {
            yield return hour;
            hour = hour.AddHours(1);
        }
    }

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public static DateTimeOffset TruncateToHour(DateTimeOffset instant) =>
        new(instant.Year, instant.Month, instant.Day, instant.Hour, 0, 0, TimeSpan.Zero);

    public override string ToString() =>
        $"[{Start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}, {End.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)})";
}
