namespace RhythmFlow.Contracts;

/// <summary>The four event streams, named exactly as eventsim names its Kafka topics.</summary>
public static class Topics
{
    public const string Listen = "listen_events";
    public const string PageView = "page_view_events";
    public const string Auth = "auth_events";
    public const string StatusChange = "status_change_events";

    public static IReadOnlyList<string> All { get; } = [Listen, PageView, Auth, StatusChange];

    public static bool IsKnown(string topic) => All.Contains(topic, StringComparer.Ordinal);

    /// <summary>Returns the topic unchanged, or throws naming the allowed topics.</summary>
    public static string Require(string topic) =>
        IsKnown(topic)
            ? topic
            : throw new ArgumentException($"Unknown topic '{topic}'. Allowed topics: {string.Join(", ", All)}.", nameof(topic));
}
