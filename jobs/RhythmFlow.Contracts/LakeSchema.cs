namespace RhythmFlow.Contracts;

/// <summary>The engine-neutral type of a lake column; the Parquet writer and the warehouse map it to theirs.</summary>
public enum LakeColumnType
{
    String,
    Int32,
    Int64,
    Double,
    Boolean,

    /// <summary>UTC instant with millisecond precision (eventsim's epoch-ms fields).</summary>
    TimestampMillis,
}

/// <summary>One column of a topic's lake table.</summary>
/// <param name="Name">snake_case column name, as in the lake and the warehouse's <c>raw</c> schema.</param>
/// <param name="Type">The column type.</param>
/// <param name="Required">True when every row has a value.</param>
/// <param name="EventField">The eventsim JSON field it comes from, or null for lineage columns.</param>
public sealed record LakeColumn(string Name, LakeColumnType Type, bool Required, string? EventField);

/// <summary>
/// The lake schema of each topic: eventsim's fields in eventsim's order, renamed to snake_case and typed
/// (<c>ts</c> and <c>registration</c> become timestamps), followed by the landing job's lineage columns.
/// This is the one definition that the Parquet files, the landing job, the transform and the warehouse share.
/// </summary>
public static class LakeSchema
{
    public const string KafkaTopic = "kafka_topic";
    public const string KafkaPartition = "kafka_partition";
    public const string KafkaOffset = "kafka_offset";
    public const string KafkaTimestamp = "kafka_timestamp";
    public const string LandingBatchId = "landing_batch_id";

    /// <summary>Columns that identify one event within its topic (sessionId is unique across simulator shards).</summary>
    public static IReadOnlyList<string> EventIdentity { get; } = ["session_id", "item_in_session"];

    public static IReadOnlyList<LakeColumn> Lineage { get; } =
    [
        new(KafkaTopic, LakeColumnType.String, true, null),
        new(KafkaPartition, LakeColumnType.Int32, true, null),
        new(KafkaOffset, LakeColumnType.Int64, true, null),
        new(KafkaTimestamp, LakeColumnType.TimestampMillis, true, null),
        new(LandingBatchId, LakeColumnType.String, true, null),
    ];

    private static readonly LakeColumn[] Device =
    [
        new("city", LakeColumnType.String, true, "city"),
        new("zip", LakeColumnType.String, true, "zip"),
        new("state", LakeColumnType.String, true, "state"),
        new("user_agent", LakeColumnType.String, true, "userAgent"),
        new("lon", LakeColumnType.Double, true, "lon"),
        new("lat", LakeColumnType.Double, true, "lat"),
    ];

    private static LakeColumn[] UserBlock(bool required) =>
    [
        new("user_id", LakeColumnType.Int64, required, "userId"),
        new("last_name", LakeColumnType.String, required, "lastName"),
        new("first_name", LakeColumnType.String, required, "firstName"),
        new("gender", LakeColumnType.String, required, "gender"),
        new("registration", LakeColumnType.TimestampMillis, required, "registration"),
        new("tag", LakeColumnType.String, false, "tag"),
    ];

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<LakeColumn>> EventColumns =
        new Dictionary<string, IReadOnlyList<LakeColumn>>(StringComparer.Ordinal)
        {
            [Topics.Listen] =
            [
                new("artist", LakeColumnType.String, true, "artist"),
                new("song", LakeColumnType.String, true, "song"),
                new("duration", LakeColumnType.Double, true, "duration"),
                new("ts", LakeColumnType.TimestampMillis, true, "ts"),
                new("session_id", LakeColumnType.Int64, true, "sessionId"),
                new("auth", LakeColumnType.String, true, "auth"),
                new("level", LakeColumnType.String, true, "level"),
                new("item_in_session", LakeColumnType.Int32, true, "itemInSession"),
                .. Device,
                .. UserBlock(required: true),
            ],
            [Topics.PageView] =
            [
                new("ts", LakeColumnType.TimestampMillis, true, "ts"),
                new("session_id", LakeColumnType.Int64, true, "sessionId"),
                new("page", LakeColumnType.String, true, "page"),
                new("auth", LakeColumnType.String, true, "auth"),
                new("method", LakeColumnType.String, true, "method"),
                new("status", LakeColumnType.Int32, true, "status"),
                new("level", LakeColumnType.String, true, "level"),
                new("item_in_session", LakeColumnType.Int32, true, "itemInSession"),
                .. Device,
                .. UserBlock(required: false),
                new("artist", LakeColumnType.String, false, "artist"),
                new("song", LakeColumnType.String, false, "song"),
                new("duration", LakeColumnType.Double, false, "duration"),
            ],
            [Topics.Auth] =
            [
                new("ts", LakeColumnType.TimestampMillis, true, "ts"),
                new("session_id", LakeColumnType.Int64, true, "sessionId"),
                new("level", LakeColumnType.String, true, "level"),
                new("item_in_session", LakeColumnType.Int32, true, "itemInSession"),
                .. Device,
                .. UserBlock(required: false),
                new("success", LakeColumnType.Boolean, true, "success"),
            ],
            [Topics.StatusChange] =
            [
                new("ts", LakeColumnType.TimestampMillis, true, "ts"),
                new("session_id", LakeColumnType.Int64, true, "sessionId"),
                new("auth", LakeColumnType.String, true, "auth"),
                new("level", LakeColumnType.String, true, "level"),
                new("item_in_session", LakeColumnType.Int32, true, "itemInSession"),
                .. Device,
                .. UserBlock(required: false),
            ],
        };

    /// <summary>The event columns of a topic, without lineage.</summary>
    public static IReadOnlyList<LakeColumn> EventColumnsOf(string topic) => EventColumns[Topics.Require(topic)];

    /// <summary>All columns of a topic's lake table: event columns, then lineage.</summary>
    public static IReadOnlyList<LakeColumn> ColumnsOf(string topic) => [.. EventColumnsOf(topic), .. Lineage];
}
