using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Warehouse;

namespace RhythmFlow.Transform;

/// <summary>
/// One topic's partition of one event hour: <c>raw_hours.&lt;topic&gt;_&lt;yyyymmddhh&gt;</c>, attached to
/// <c>raw.&lt;topic&gt;</c> for [hour, hour + 1h). The transform fills a new table and swaps it in for the old one.
/// An hour loaded through several connections is itself partitioned into <see cref="Slices"/> slices by
/// <c>session_id % Slices</c> (<c>_0</c>, <c>_1</c>, ...), one table per connection, so every copy of an event
/// identity lands in the same slice.
/// </summary>
internal sealed class HourPartition
{
    private static readonly string Session = LakeSchema.EventIdentity[0];

    private readonly string _name;

    public HourPartition(string topic, DateTimeOffset hour, int slices = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        Topic = topic;
        Hour = hour;
        Slices = slices;
        _name = $"{topic}_{hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";
        Parent = SqlIdentifier.RawTable(topic);
        Table = SqlIdentifier.Qualified(WarehouseSchemas.RawHours, _name);
        LoadTable = SqlIdentifier.Qualified(WarehouseSchemas.RawHours, _name + "_load");
        Default = SqlIdentifier.Qualified(WarehouseSchemas.RawHours, topic + "_default");
    }

    public string Topic { get; }

    public DateTimeOffset Hour { get; }

    /// <summary>How many tables (and connections) the hour is loaded into; 1 is a plain table.</summary>
    public int Slices { get; }

    /// <summary>The table being filled, until the swap renames it to the partition's name.</summary>
    public string LoadTable { get; }

    private string Parent { get; }

    private string Table { get; }

    private string Default { get; }

    // DDL takes no parameters; these literals come from a DateTimeOffset, never from input text.
    private string From => Literal(Hour);

    private string To => Literal(Hour.AddHours(1));

    /// <summary>The slice an event identity's session belongs to; PostgreSQL's <c>session_id % Slices</c> is this or its negative.</summary>
    public static int SliceOf(long session, int slices) => (int)Math.Abs(session % slices);

    /// <summary>The table slice <paramref name="slice"/>'s COPY fills: the load table itself when there is one slice.</summary>
    public string CopyTable(int slice) => Slices == 1 ? LoadTable : SliceTable(slice, "_load");

    /// <summary>
    /// The new table, in the hour's transaction: the parent's columns and NOT NULLs, plus a CHECK equal to the partition
    /// bound, so rows outside the hour fail the COPY and ATTACH can skip its validation scan. With several slices, a
    /// partitioned table and slice 0; the other slices are created on their own connections (<see cref="CreateSliceSql"/>).
    /// </summary>
    public string CreateLoadTableSql() => Slices == 1
        ? $"CREATE TABLE {LoadTable} (LIKE {Parent}, {HourCheck})"
        : $"CREATE TABLE {LoadTable} (LIKE {Parent}) PARTITION BY LIST (({Session} % {Slices})); {CreateSliceSql(0)}";

    /// <summary>
    /// A slice's table, with the hour's CHECK and one matching its list bound (written as PostgreSQL states the
    /// partition constraint, so ATTACH skips the scan).
    /// </summary>
    public string CreateSliceSql(int slice) =>
        $"""
        CREATE TABLE {CopyTable(slice)} (LIKE {Parent}, {HourCheck},
            CONSTRAINT {SqlIdentifier.Quote(Topic + "_slice")} CHECK (({Session} % {Slices}) IS NOT NULL AND ({Session} % {Slices}) {SliceCondition(slice)}));
        """;

    /// <summary>
    /// A regular expression matching the names of every topic's slice tables being loaded for <paramref name="hour"/>
    /// (in <c>raw_hours</c>): a run that died or failed before its hour's commit can leave those its other
    /// connections committed.
    /// </summary>
    public static string LoadSlicePattern(DateTimeOffset hour) =>
        $"^({string.Join('|', Topics.All)})_{hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}_load_[0-9]+$";

    /// <summary>Attaches the filled slices to the (partitioned) load table.</summary>
    public string AttachSlicesSql() => string.Concat(Enumerable.Range(0, Slices).Select(s =>
        $"ALTER TABLE {LoadTable} ATTACH PARTITION {CopyTable(s)} FOR VALUES IN ({SliceValues(s)});\n"));

    /// <summary>Removes every copy of an event identity but the first written (a table's physical order is COPY order).</summary>
    public string DeleteLaterCopiesSql(int slice) =>
        $"""
        DELETE FROM {CopyTable(slice)} t USING (
            SELECT session_id, item_in_session, min(ctid) AS first FROM {CopyTable(slice)}
            GROUP BY session_id, item_in_session HAVING count(*) > 1) d
        WHERE t.session_id = d.session_id AND t.item_in_session = d.item_in_session AND t.ctid <> d.first
        """;

    /// <summary>
    /// Drops the hour's old partition (with its slices) and any rows of the hour in the default partition (loaded
    /// before the raw tables were partitioned, or inserted directly), then renames the new table and its slices and
    /// attaches it in their place.
    /// </summary>
    public string ReplaceSql(bool attach) =>
        $"""
        DROP TABLE IF EXISTS {Table};
        DELETE FROM {Default} WHERE ts >= {From} AND ts < {To};
        """
        + (attach
            ? string.Concat(Enumerable.Range(0, Slices == 1 ? 0 : Slices).Select(s =>
                  $"\nALTER TABLE {CopyTable(s)} RENAME TO {SqlIdentifier.Quote($"{_name}_{s}")};"))
              + $"""

              ALTER TABLE {LoadTable} RENAME TO {SqlIdentifier.Quote(_name)};
              ALTER TABLE {Parent} ATTACH PARTITION {Table} FOR VALUES FROM ({From}) TO ({To});
              """
            : string.Empty);

    private string HourCheck => $"CONSTRAINT {SqlIdentifier.Quote(Topic + "_hour")} CHECK (ts >= {From} AND ts < {To})";

    private string SliceTable(int slice, string suffix) =>
        SqlIdentifier.Qualified(WarehouseSchemas.RawHours, $"{_name}{suffix}_{slice.ToString(CultureInfo.InvariantCulture)}");

    private static string SliceValues(int slice) => slice == 0 ? "0" : $"{slice}, -{slice}";

    private static string SliceCondition(int slice) => slice == 0 ? "= 0" : $"= ANY (ARRAY[{slice}::bigint, -{slice}::bigint])";

    private static string Literal(DateTimeOffset instant) =>
        $"'{instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00'::timestamptz";
}
