using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Warehouse;

namespace RhythmFlow.Transform;

/// <summary>
/// One topic's partition of one event hour: <c>raw_hours.&lt;topic&gt;_&lt;yyyymmddhh&gt;</c>, attached to
/// <c>raw.&lt;topic&gt;</c> for [hour, hour + 1h). The transform fills a new table and swaps it in for the old one.
/// </summary>
internal sealed class HourPartition
{
    public HourPartition(string topic, DateTimeOffset hour)
    {
        Topic = topic;
        Hour = hour;
        var name = $"{topic}_{hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";
        Parent = SqlIdentifier.RawTable(topic);
        Table = SqlIdentifier.Qualified(WarehouseSchemas.RawHours, name);
        LoadTable = SqlIdentifier.Qualified(WarehouseSchemas.RawHours, name + "_load");
        Default = SqlIdentifier.Qualified(WarehouseSchemas.RawHours, topic + "_default");
        NewName = SqlIdentifier.Quote(name);
    }

    public string Topic { get; }

    public DateTimeOffset Hour { get; }

    /// <summary>The table being filled, until the swap renames it to the partition's name.</summary>
    public string LoadTable { get; }

    private string Parent { get; }

    private string Table { get; }

    private string Default { get; }

    private string NewName { get; }

    // DDL takes no parameters; these literals come from a DateTimeOffset, never from input text.
    private string From => Literal(Hour);

    private string To => Literal(Hour.AddHours(1));

    /// <summary>
    /// The new table: the parent's columns and NOT NULLs, plus a CHECK equal to the partition bound, so rows outside
    /// the hour fail the COPY and ATTACH can skip its validation scan.
    /// </summary>
    public string CreateLoadTableSql() =>
        $"CREATE TABLE {LoadTable} (LIKE {Parent}, CONSTRAINT {SqlIdentifier.Quote(Topic + "_hour")} CHECK (ts >= {From} AND ts < {To}))";

    /// <summary>Removes every copy of an event identity but the first written (the table's physical order is COPY order).</summary>
    public string DeleteLaterCopiesSql() =>
        $"""
        DELETE FROM {LoadTable} t USING (
            SELECT session_id, item_in_session, min(ctid) AS first FROM {LoadTable}
            GROUP BY session_id, item_in_session HAVING count(*) > 1) d
        WHERE t.session_id = d.session_id AND t.item_in_session = d.item_in_session AND t.ctid <> d.first
        """;

    /// <summary>
    /// Drops the hour's old partition and any rows of the hour in the default partition (loaded before the raw
    /// tables were partitioned, or inserted directly), then attaches the new table in their place.
    /// </summary>
    public string ReplaceSql(bool attach) =>
        $"""
        DROP TABLE IF EXISTS {Table};
        DELETE FROM {Default} WHERE ts >= {From} AND ts < {To};
        """
        + (attach
            ? $"""

              ALTER TABLE {LoadTable} RENAME TO {NewName};
              ALTER TABLE {Parent} ATTACH PARTITION {Table} FOR VALUES FROM ({From}) TO ({To});
              """
            : string.Empty);

    private static string Literal(DateTimeOffset instant) =>
        $"'{instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00'::timestamptz";
}
