using System.Globalization;
using System.Text.RegularExpressions;

namespace RhythmFlow.Contracts;

/// <summary>
/// Where things live in the lake. Keys are '/'-separated and relative to the lake root, so the same
/// layout serves a local folder and an object store. Every part is validated before it becomes a path.
/// </summary>
public static partial class LakeLayout
{
    public const string RawRoot = "raw";
    public const string QuarantineRoot = "quarantine";

    /// <summary>The Hive-style partition of a topic's events for one UTC event hour: <c>raw/&lt;topic&gt;/date=YYYY-MM-DD/hour=HH</c>.</summary>
    public static string RawPartition(string topic, DateTimeOffset eventHourUtc)
    {
        Topics.Require(topic);
        var hour = DataInterval.TruncateToHour(eventHourUtc.ToUniversalTime());
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{RawRoot}/{topic}/date={hour:yyyy-MM-dd}/hour={hour:HH}");
    }

    /// <summary>The quarantine folder of a topic for one UTC day: <c>quarantine/&lt;topic&gt;/date=YYYY-MM-DD</c>.</summary>
    public static string QuarantinePartition(string topic, DateTimeOffset dayUtc)
    {
        Topics.Require(topic);
        return string.Create(CultureInfo.InvariantCulture, $"{QuarantineRoot}/{topic}/date={dayUtc.ToUniversalTime():yyyy-MM-dd}");
    }

    /// <summary>Recognises a raw partition key (or a file key inside one) and returns its topic and hour.</summary>
    public static bool TryParseRawPartition(string key, out string topic, out DateTimeOffset eventHourUtc)
    {
        var match = RawPartitionPattern().Match(key);
        if (match.Success && Topics.IsKnown(match.Groups["topic"].Value)
            && DateTimeOffset.TryParseExact(
                match.Groups["date"].Value + "T" + match.Groups["hour"].Value,
                "yyyy-MM-dd'T'HH",
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out eventHourUtc))
        {
            topic = match.Groups["topic"].Value;
            return true;
        }

        topic = string.Empty;
        eventHourUtc = default;
        return false;
    }

    /// <summary>
    /// Validates one path segment (a file or folder name produced by a component): ASCII letters, digits,
    /// '=', '-', '_' and '.', never '..' and never a separator.
    /// </summary>
    public static string RequireSafeSegment(string segment)
    {
        if (string.IsNullOrEmpty(segment) || segment is "." or ".." || !SafeSegmentPattern().IsMatch(segment))
        {
            throw new ArgumentException(
                $"'{segment}' is not a safe lake path segment; use ASCII letters, digits, '=', '-', '_' and '.'.",
                nameof(segment));
        }

        return segment;
    }

    [GeneratedRegex(@"^raw/(?<topic>[a-z_]+)/date=(?<date>\d{4}-\d{2}-\d{2})/hour=(?<hour>\d{2})(/|$)", RegexOptions.CultureInvariant)]
    private static partial Regex RawPartitionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9=_.\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeSegmentPattern();
}
