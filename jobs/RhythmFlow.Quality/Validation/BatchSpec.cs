using System.Globalization;
using RhythmFlow.Quality.Expectations;
using RhythmFlow.Quality.Sql;

namespace RhythmFlow.Quality.Validation;

/// <summary>
/// One batch of a data asset: a warehouse table (or a query asset from great_expectations.yml), optionally cut to
/// the rows whose <see cref="PartitionColumn"/> falls in [<see cref="Start"/>, <see cref="End"/>) — GX's
/// datetime-part partitioner with the interval's hour as its batch parameters.
/// </summary>
public sealed record BatchSpec(
    string DatasourceName,
    string AssetName,
    string BatchDefinitionName,
    string? Schema,
    string? Table,
    string? Query,
    string? PartitionColumn = null,
    DateTimeOffset? Start = null,
    DateTimeOffset? End = null)
{
    /// <summary>A whole-table batch, as <c>--suite NAME --table SCHEMA.TABLE</c> asks for.</summary>
    public static BatchSpec ForTable(string qualified)
    {
        var (schema, table) = SqlNames.ParseQualified(qualified);
        return new BatchSpec("warehouse", table, "whole_table", schema, table, null);
    }

    /// <summary>GX's batch identifier: asset plus the batch parameters.</summary>
    public string BatchId => Start is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"{DatasourceName}-{AssetName}-{s:yyyy-MM-dd'T'HH}")
        : $"{DatasourceName}-{AssetName}";

    public string Describe => (Query is null ? $"{Schema}.{Table}" : $"query asset {AssetName}")
        + (Start is { } start && End is { } end
            ? string.Create(CultureInfo.InvariantCulture, $" where {PartitionColumn} in [{start:yyyy-MM-dd HH:mm}, {end:yyyy-MM-dd HH:mm}) UTC")
            : string.Empty);

    /// <summary>GX's batch parameters for a datetime-part partition: year, month, day, hour.</summary>
    public IReadOnlyDictionary<string, int> BatchParameters => Start is { } t
        ? new Dictionary<string, int> { ["year"] = t.Year, ["month"] = t.Month, ["day"] = t.Day, ["hour"] = t.Hour }
        : new Dictionary<string, int>();

    /// <summary>Appends the batch as a derived table named <c>batch</c>, with an optional row condition on top.</summary>
    internal void AppendRelation(SqlText sql, RowCondition? condition = null)
    {
        sql.Append("(");
        AppendSelect(sql, condition);
        sql.Append(") AS batch");
    }

    /// <summary>Appends the batch's <c>SELECT</c>, without parentheses or alias.</summary>
    internal void AppendSelect(SqlText sql, RowCondition? condition = null)
    {
        sql.Append("SELECT * FROM ");
        if (Query is not null)
        {
            sql.Append("(").Append(Query).Append(") AS q");
        }
        else
        {
            sql.Append(SqlNames.Quote(Schema!)).Append(".").Append(SqlNames.Quote(Table!));
        }

        var where = " WHERE ";
        if (PartitionColumn is not null && Start is not null && End is not null)
        {
            var column = SqlNames.Quote(PartitionColumn);
            sql.Append(where).Append(column).Append(" >= ").Bind(Start.Value).Append(" AND ").Append(column).Append(" < ").Bind(End.Value);
            where = " AND ";
        }

        if (condition is not null)
        {
            sql.Append(where);
            condition.AppendTo(sql);
        }
    }
}
