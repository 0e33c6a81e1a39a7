using System.Text.Json.Nodes;

namespace RhythmFlow.Quality.Expectations;

/// <summary><c>expect_table_columns_to_match_set</c>: the batch's columns against a set, exactly or as a superset.</summary>
internal sealed class ColumnsMatchSetExpectation(IReadOnlyList<string> columnSet, bool exactMatch) : Expectation
{
    public override Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var observed = context.Columns.Select(c => c.Name).ToList();
        var unexpected = observed.Except(columnSet, StringComparer.Ordinal).ToList();
        var missing = columnSet.Except(observed, StringComparer.Ordinal).ToList();
        var success = missing.Count == 0 && (!exactMatch || unexpected.Count == 0);
        var result = new JsonObject { ["observed_value"] = new JsonArray([.. observed.Select(c => (JsonNode?)c)]) };
        if (unexpected.Count > 0 || missing.Count > 0)
        {
            result["details"] = new JsonObject
            {
                ["mismatched"] = new JsonObject
                {
                    ["unexpected"] = new JsonArray([.. unexpected.Select(c => (JsonNode?)c)]),
                    ["missing"] = new JsonArray([.. missing.Select(c => (JsonNode?)c)]),
                },
            };
        }

        return Task.FromResult(new ExpectationOutcome(success, result));
    }
}

/// <summary><c>expect_column_to_exist</c>, optionally at a 0-based <c>column_index</c>.</summary>
internal sealed class ColumnToExistExpectation(string column, int? columnIndex) : Expectation
{
    public override Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var index = context.Columns.ToList().FindIndex(c => c.Name == column);
        var success = index >= 0 && (columnIndex is null || columnIndex == index);
        return Task.FromResult(new ExpectationOutcome(success, []));
    }
}

/// <summary>
/// <c>expect_column_values_to_be_of_type</c> on SQL: compares the column's declared type. <c>type_</c> may be the
/// SQLAlchemy name GX reports (BIGINT, TEXT, TIMESTAMP, DOUBLE_PRECISION, ...) or the PostgreSQL name.
/// </summary>
internal sealed class OfTypeExpectation(string column, string expectedType) : Expectation
{
    private static readonly Dictionary<string, string> SqlAlchemyNames = new(StringComparer.Ordinal)
    {
        ["smallint"] = "SMALLINT",
        ["integer"] = "INTEGER",
        ["bigint"] = "BIGINT",
        ["real"] = "REAL",
        ["double precision"] = "DOUBLE_PRECISION",
        ["numeric"] = "NUMERIC",
        ["text"] = "TEXT",
        ["character varying"] = "VARCHAR",
        ["boolean"] = "BOOLEAN",
        ["date"] = "DATE",
        ["timestamp with time zone"] = "TIMESTAMP",
        ["timestamp without time zone"] = "TIMESTAMP",
        ["jsonb"] = "JSONB",
        ["uuid"] = "UUID",
    };

    public override Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var declared = context.Require(column).DataType;
        var baseType = declared.Split('(')[0].Trim();
        var observed = SqlAlchemyNames.GetValueOrDefault(baseType, baseType.ToUpperInvariant());
        var success = string.Equals(expectedType, observed, StringComparison.OrdinalIgnoreCase)
            || string.Equals(expectedType, baseType, StringComparison.OrdinalIgnoreCase)
            || string.Equals(expectedType, declared, StringComparison.OrdinalIgnoreCase);
        return Task.FromResult(new ExpectationOutcome(success, new JsonObject { ["observed_value"] = observed }));
    }
}
