using RhythmFlow.Quality.Sql;
using RhythmFlow.Quality.Suites;

namespace RhythmFlow.Quality.Expectations;

/// <summary>An expectation ready to run, with the kwargs (parameters resolved) that its result reports.</summary>
internal sealed record CompiledExpectation(ExpectationConfig Config, Expectation Expectation, System.Text.Json.Nodes.JsonObject ResolvedKwargs);

/// <summary>
/// The expectation types the validator implements, each compiled from its kwargs with GX's defaults. Unknown types
/// and unknown or malformed kwargs are errors naming the suite and the expectation; nothing is silently passed.
/// </summary>
internal static class ExpectationCatalog
{
    private static readonly Dictionary<string, Func<Kwargs, Expectation>> Types = new(StringComparer.Ordinal)
    {
        ["expect_table_row_count_to_be_between"] = k => Between(k, null, (sql, _) => sql.Append("count(*)")),
        ["expect_table_columns_to_match_set"] = k => new ColumnsMatchSetExpectation(k.ColumnList("column_set"), k.Bool("exact_match", true)),
        ["expect_column_to_exist"] = k => new ColumnToExistExpectation(k.Column(), ColumnIndex(k)),
        ["expect_column_values_to_be_of_type"] = k => new OfTypeExpectation(k.Column(), k.String("type_") ?? throw k.Error("kwarg 'type_' is required.")),
        ["expect_column_values_to_not_be_null"] = k => ColumnMap(k, missingIsUnexpected: true, (sql, q) => sql.Append(q).Append(" IS NOT NULL")),
        ["expect_column_values_to_be_unique"] = k => ColumnMap(k, false, (sql, q) => sql.Append("count(*) OVER (PARTITION BY ").Append(q).Append(") = 1")),
        ["expect_column_values_to_be_in_set"] = InSet,
        ["expect_column_values_to_be_between"] = ValuesBetween,
        ["expect_column_values_to_match_regex"] = k =>
        {
            var regex = k.String("regex") ?? throw k.Error("kwarg 'regex' is required.");
            return ColumnMap(k, false, (sql, q) => sql.Append(q).Append(" ~ ").Bind(regex));
        },
        ["expect_column_min_to_be_between"] = k => ColumnMetric(k, "min"),
        ["expect_column_max_to_be_between"] = k => ColumnMetric(k, "max"),
        ["expect_column_mean_to_be_between"] = k => ColumnMetric(k, "avg"),
        ["expect_column_proportion_of_unique_values_to_be_between"] = k =>
        {
            var column = k.Column();
            var q = SqlNames.Quote(column);
            return Between(k, column, (sql, _) => sql.Append($"COALESCE(count(DISTINCT {q})::float8 / NULLIF(count({q}), 0), 0)"));
        },
        ["expect_column_pair_values_a_to_be_greater_than_b"] = PairGreater,
        ["expect_compound_columns_to_be_unique"] = k => MultiColumn(k, (sql, quoted) =>
            sql.Append("count(*) OVER (PARTITION BY ").Append(string.Join(", ", quoted)).Append(") = 1")),
        ["expect_select_column_values_to_be_unique_within_record"] = k => MultiColumn(k, (sql, quoted) =>
        {
            var pairs = from i in Enumerable.Range(0, quoted.Count)
                        from j in Enumerable.Range(i + 1, quoted.Count - i - 1)
                        select $"({quoted[i]} = {quoted[j]}) IS NOT TRUE";
            sql.Append(string.Join(" AND ", pairs));
        }),
        ["unexpected_rows_expectation"] = k => new UnexpectedRowsExpectation(k),
        ["expect_quarantined_share_to_be_below"] = k => new QuarantineShareExpectation(
            QuarantineShareExpectation.RequireTopic(k),
            k.Number("max_value") is { } max and >= 0 and <= 1 ? max : throw k.Error("kwarg 'max_value' must be a share between 0 and 1.")),
    };

    public static IReadOnlyCollection<string> KnownTypes => Types.Keys;

    /// <summary>Compiles one expectation with its suite parameters resolved.</summary>
    public static CompiledExpectation Compile(string suite, ExpectationConfig config, SuiteParameters parameters)
    {
        var kwargs = new Kwargs(suite, config, parameters);
        if (!Types.TryGetValue(config.Type, out var factory))
        {
            throw kwargs.Error(
                "unknown expectation type.",
                $"The validator implements: {string.Join(", ", Types.Keys.Order(StringComparer.Ordinal))}.");
        }

        var expectation = factory(kwargs);
        kwargs.RejectUnknown();
        return new CompiledExpectation(config, expectation, kwargs.Resolved);
    }

    private static int? ColumnIndex(Kwargs k) => k.Number("column_index") switch
    {
        null => null,
        double d when d >= 0 && d == Math.Floor(d) => (int)d,
        var d => throw k.Error($"kwarg 'column_index' must be a non-negative integer; got {d}."),
    };

    private static MetricBetweenExpectation Between(Kwargs k, string? column, Action<SqlText, EvaluationContext> metric)
    {
        var condition = RowCondition.Read(k);
        var (min, max) = Bounds(k);
        return new MetricBetweenExpectation(metric, column, min, max, k.Bool("strict_min", false), k.Bool("strict_max", false)) { Condition = condition };
    }

    private static MetricBetweenExpectation ColumnMetric(Kwargs k, string function)
    {
        var column = k.Column();
        return Between(k, column, (sql, _) => sql.Append(function).Append("(").Append(SqlNames.Quote(column)).Append(")"));
    }

    private static (object? Min, object? Max) Bounds(Kwargs k)
    {
        var min = k.Bound("min_value");
        var max = k.Bound("max_value");
        return min is null && max is null
            ? throw k.Error("neither 'min_value' nor 'max_value' is set.", "Set at least one bound; a range with no bounds checks nothing.")
            : (min, max);
    }

    private static MapExpectation ColumnMap(Kwargs k, bool missingIsUnexpected, Action<SqlText, string> appendOk)
    {
        var column = k.Column();
        var mostly = k.Mostly();
        var condition = RowCondition.Read(k);
        var q = SqlNames.Quote(column);
        return new MapExpectation(
            (sql, context) =>
            {
                sql.Append("SELECT ").Append(q).Append(" AS v, ").Append(missingIsUnexpected ? "FALSE" : q + " IS NULL").Append(" AS ignored, (");
                appendOk(sql, q);
                sql.Append(") AS ok FROM ");
                context.Batch.AppendRelation(sql, condition);
            },
            mostly,
            missingIsUnexpected,
            valuesAreJson: false,
            [column]);
    }

    private static MapExpectation InSet(Kwargs k)
    {
        var values = k.ValueSet();
        return ColumnMap(k, false, (sql, q) =>
        {
            sql.Append(q).Append(" IN (");
            for (var i = 0; i < values.Count; i++)
            {
                sql.Append(i == 0 ? string.Empty : ", ").Bind(values[i]);
            }

            sql.Append(")");
        });
    }

    private static MapExpectation ValuesBetween(Kwargs k)
    {
        var (min, max) = Bounds(k);
        var strictMin = k.Bool("strict_min", false);
        var strictMax = k.Bool("strict_max", false);
        return ColumnMap(k, false, (sql, q) =>
        {
            if (min is not null)
            {
                sql.Append(q).Append(strictMin ? " > " : " >= ").Bind(min);
            }

            if (max is not null)
            {
                sql.Append(min is null ? string.Empty : " AND ").Append(q).Append(strictMax ? " < " : " <= ").Bind(max);
            }
        });
    }

    private static MapExpectation PairGreater(Kwargs k)
    {
        var a = k.Column("column_A");
        var b = k.Column("column_B");
        var orEqual = k.Bool("or_equal", false);
        var ignore = k.Choice("ignore_row_if", "both_values_are_missing", "both_values_are_missing", "either_value_is_missing", "neither");
        var mostly = k.Mostly();
        var condition = RowCondition.Read(k);
        var (qa, qb) = (SqlNames.Quote(a), SqlNames.Quote(b));
        var ignored = ignore switch
        {
            "both_values_are_missing" => $"({qa} IS NULL AND {qb} IS NULL)",
            "either_value_is_missing" => $"({qa} IS NULL OR {qb} IS NULL)",
            _ => "FALSE",
        };
        return new MapExpectation(
            (sql, context) =>
            {
                sql.Append($"SELECT jsonb_build_array({qa}, {qb}) AS v, {ignored} AS ignored, ({qa} {(orEqual ? ">=" : ">")} {qb}) AS ok FROM ");
                context.Batch.AppendRelation(sql, condition);
            },
            mostly,
            missingIsUnexpected: false,
            valuesAreJson: true,
            [a, b]);
    }

    private static MapExpectation MultiColumn(Kwargs k, Action<SqlText, IReadOnlyList<string>> appendOk)
    {
        var columns = k.ColumnList(minimum: 2);
        var ignore = k.Choice("ignore_row_if", "all_values_are_missing", "all_values_are_missing", "any_value_is_missing", "never");
        var mostly = k.Mostly();
        var condition = RowCondition.Read(k);
        var quoted = columns.Select(SqlNames.Quote).ToList();
        var ignored = ignore switch
        {
            "all_values_are_missing" => "(" + string.Join(" AND ", quoted.Select(q => q + " IS NULL")) + ")",
            "any_value_is_missing" => "(" + string.Join(" OR ", quoted.Select(q => q + " IS NULL")) + ")",
            _ => "FALSE",
        };
        return new MapExpectation(
            (sql, context) =>
            {
                sql.Append("SELECT jsonb_build_object(");
                for (var i = 0; i < columns.Count; i++)
                {
                    sql.Append(i == 0 ? string.Empty : ", ").Bind(columns[i]).Append("::text, ").Append(quoted[i]);
                }

                sql.Append(") AS v, ").Append(ignored).Append(" AS ignored, (");
                appendOk(sql, quoted);
                sql.Append(") AS ok FROM ");
                context.Batch.AppendRelation(sql, condition);
            },
            mostly,
            missingIsUnexpected: false,
            valuesAreJson: true,
            columns);
    }
}
