using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Project;

/// <summary>
/// dbt's cross-database macros (the <c>dbt</c> namespace since dbt-core 1.2), with the postgres and bigquery
/// implementations their adapters ship. Arguments are SQL expressions, as in dbt.
/// </summary>
internal static class CrossDatabaseMacros
{
    public static IReadOnlyDictionary<string, Func<JinjaCall, string>> For(string adapter)
    {
        var bigquery = adapter == "bigquery";
        return new Dictionary<string, Func<JinjaCall, string>>(StringComparer.Ordinal)
        {
            ["type_string"] = _ => bigquery ? "string" : "text",
            ["type_int"] = _ => bigquery ? "int64" : "integer",
            ["type_bigint"] = _ => bigquery ? "int64" : "bigint",
            ["type_float"] = _ => bigquery ? "float64" : "float",
            ["type_numeric"] = _ => bigquery ? "numeric" : "numeric(28,6)",
            ["type_timestamp"] = _ => "timestamp",
            ["type_boolean"] = _ => "boolean",
            ["current_timestamp"] = _ => bigquery ? "current_timestamp()" : "now()",
            ["hash"] = c => bigquery
                ? $"to_hex(md5(cast({Sql(c, 0, "field")} as string)))"
                : $"md5(cast({Sql(c, 0, "field")} as varchar))",
            ["concat"] = c => $"concat({string.Join(", ", Fields(c))})",
            ["date_trunc"] = c => bigquery
                ? $"timestamp_trunc(cast({Sql(c, 1, "date")} as timestamp), {Part(c, 0)})"
                : $"date_trunc('{Part(c, 0)}', {Sql(c, 1, "date")})",
            ["dateadd"] = c => bigquery
                ? $"datetime_add(cast({Sql(c, 2, "from_date_or_timestamp")} as datetime), interval {Sql(c, 1, "interval")} {Part(c, 0)})"
                : $"{Sql(c, 2, "from_date_or_timestamp")} + ((interval '1 {Part(c, 0)}') * ({Sql(c, 1, "interval")}))",
            ["datediff"] = c => bigquery
                ? $"datetime_diff(cast({Sql(c, 1, "second_date")} as datetime), cast({Sql(c, 0, "first_date")} as datetime), {Part(c, 2)})"
                : PostgresDateDiff(Sql(c, 0, "first_date"), Sql(c, 1, "second_date"), Part(c, 2), c),
            ["safe_divide"] = c => $"( {Sql(c, 0, "numerator")} ) / nullif( ( {Sql(c, 1, "denominator")} ), 0)",
            ["bool_or"] = c => bigquery ? $"logical_or({Sql(c, 0, "expression")})" : $"bool_or({Sql(c, 0, "expression")})",
            ["any_value"] = c => bigquery ? $"any_value({Sql(c, 0, "expression")})" : $"min({Sql(c, 0, "expression")})",
            ["safe_cast"] = c => bigquery ? $"safe_cast({Sql(c, 0, "field")} as {Sql(c, 1, "type")})" : $"cast({Sql(c, 0, "field")} as {Sql(c, 1, "type")})",
            ["cast"] = c => $"cast({Sql(c, 0, "field")} as {Sql(c, 1, "type")})",
            ["split_part"] = c => bigquery
                ? $"split({Sql(c, 0, "string_text")}, {Sql(c, 1, "delimiter_text")})[safe_offset({Sql(c, 2, "part_number")} - 1)]"
                : $"split_part({Sql(c, 0, "string_text")}, {Sql(c, 1, "delimiter_text")}, {Sql(c, 2, "part_number")})",
            ["last_day"] = c => bigquery
                ? $"last_day(cast({Sql(c, 0, "date")} as date), {Part(c, 1)})"
                : $"cast(date_trunc('{Part(c, 1)}', {Sql(c, 0, "date")}) + ((interval '1 {Part(c, 1)}') * (1)) + ((interval '1 day') * (-1)) as date)",
        };
    }

    private static string Sql(JinjaCall call, int index, string name) => JinjaValues.ToText(call.Arg(index, name, required: true));

    private static string Part(JinjaCall call, int index)
    {
        var part = Sql(call, index, "datepart").Trim('\'', '"').ToLowerInvariant();
        return part is "year" or "quarter" or "month" or "week" or "day" or "hour" or "minute" or "second" or "millisecond"
            ? part
            : throw call.Error($"unsupported datepart '{part}'");
    }

    private static IEnumerable<string> Fields(JinjaCall call) =>
        call.Arg(0, "fields", required: true) is IEnumerable<object?> fields
            ? fields.Select(JinjaValues.ToText)
            : throw call.Error("dbt.concat() takes a list of SQL expressions");

    // dbt-postgres counts whole boundaries crossed for date parts and truncated elapsed units for time parts.
    private static string PostgresDateDiff(string first, string second, string part, JinjaCall call) => part switch
    {
        "year" => $"(date_part('year', ({second})::date) - date_part('year', ({first})::date))",
        "quarter" => $"((date_part('year', ({second})::date) - date_part('year', ({first})::date)) * 4 + date_part('quarter', ({second})::date) - date_part('quarter', ({first})::date))",
        "month" => $"((date_part('year', ({second})::date) - date_part('year', ({first})::date)) * 12 + date_part('month', ({second})::date) - date_part('month', ({first})::date))",
        "day" => $"(({second})::date - ({first})::date)",
        "week" => $"cast(((({second})::date - ({first})::date) / 7 + case when date_part('dow', ({first})::timestamp) <= date_part('dow', ({second})::timestamp) then case when ({first}) <= ({second}) then 0 else -1 end else case when ({first}) <= ({second}) then 1 else 0 end end) as bigint)",
        "hour" => $"cast(trunc(extract(epoch from (({second})::timestamp - ({first})::timestamp)) / 3600) as bigint)",
        "minute" => $"cast(trunc(extract(epoch from (({second})::timestamp - ({first})::timestamp)) / 60) as bigint)",
        "second" => $"cast(trunc(extract(epoch from (({second})::timestamp - ({first})::timestamp))) as bigint)",
        _ => throw call.Error($"dbt.datediff does not support '{part}' on postgres"),
    };
}
