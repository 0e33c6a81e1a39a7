using RhythmFlow.Quality.Validation;

namespace RhythmFlow.Quality.Tests;

/// <summary>Crafted tables: 10 rows in <c>t</c> (one null in <c>v</c>, one duplicate), an empty table and a text column of numbers.</summary>
public sealed class CraftedTables : QualityDatabase
{
    protected override string SetupSql => """
        CREATE TABLE t (id integer, v double precision, name text, zip text, a integer, b integer, ts timestamptz, level text);
        INSERT INTO t VALUES
          (1, 1.0, 'x', '12345', 2, 1, '2026-03-29T14:00:00Z', 'free'),
          (2, 2.0, 'y', '23456', 3, 1, '2026-03-29T14:10:00Z', 'paid'),
          (3, 3.0, 'z', '34567', 4, 4, '2026-03-29T14:20:00Z', 'free'),
          (4, 4.0, 'w', '4567',  5, 1, '2026-03-29T14:30:00Z', 'paid'),
          (5, 5.0, 'v', '56789', 6, NULL, '2026-03-29T14:40:00Z', 'free'),
          (6, 6.0, 'u', '67890', NULL, NULL, '2026-03-29T14:50:00Z', 'free'),
          (7, 7.0, 't', '78901', 8, 1, '2026-03-29T15:00:00Z', 'free'),
          (8, 8.0, 's', '89012', 9, 1, '2026-03-29T15:10:00Z', 'free'),
          (9, NULL, 'r', '90123', 10, 1, '2026-03-29T15:20:00Z', 'bronze'),
          (9, -1.0, 'q', '01234', 11, 1, '2026-03-29T15:30:00Z', 'free');
        CREATE TABLE empty_t (id integer, v double precision);
        CREATE SEQUENCE s;
        CREATE TABLE texty (n text);
        INSERT INTO texty VALUES ('1'), ('2');
        """;
}

public sealed class ExpectationTypesTests(CraftedTables db) : IClassFixture<CraftedTables>
{
    [Fact]
    public async Task NotNull_OneNullInTen_FailsWithNullsAsUnexpectedOverAllRows()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_not_be_null", """{"column": "v"}""");

        r.Success.ShouldBeFalse();
        r.Result()["element_count"]!.GetValue<long>().ShouldBe(10);
        r.Result()["unexpected_count"]!.GetValue<long>().ShouldBe(1);
        r.Result()["unexpected_percent"]!.GetValue<double>().ShouldBe(10.0);
        r.Result()["partial_unexpected_list"]!.AsArray().Single().ShouldBeNull();
        r.Result().AsObject().ContainsKey("missing_count").ShouldBeFalse();
    }

    [Theory]
    [InlineData(0.9, true)]
    [InlineData(0.91, false)]
    public async Task NotNull_MostlyAtTheBoundary_PassesOnlyWhenShareReachesMostly(double mostly, bool expected)
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_not_be_null", $$"""{"column": "v", "mostly": {{mostly.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");

        r.Success.ShouldBe(expected);
    }

    [Fact]
    public async Task Between_NullsExcluded_UnexpectedPercentIsOverNonMissing()
    {
        // Given v = 1..8, null, -1: the null is missing, -1 is the one unexpected value of 9 non-null
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_between", """{"column": "v", "min_value": 0, "max_value": 10}""");

        // Then
        r.Success.ShouldBeFalse();
        r.Result()["missing_count"]!.GetValue<long>().ShouldBe(1);
        r.Result()["unexpected_count"]!.GetValue<long>().ShouldBe(1);
        r.Result()["unexpected_percent"]!.GetValue<double>().ShouldBe(100.0 / 9);
        r.Result()["unexpected_percent_total"]!.GetValue<double>().ShouldBe(10.0);
        r.Result()["partial_unexpected_list"]!.AsArray().Single()!.GetValue<double>().ShouldBe(-1.0);
        r.Result()["partial_unexpected_counts"]![0]!["count"]!.GetValue<long>().ShouldBe(1);
    }

    [Theory]
    [InlineData("""{"column": "v", "min_value": -1, "max_value": 8}""", true)]
    [InlineData("""{"column": "v", "min_value": -1, "max_value": 8, "strict_min": true}""", false)]
    [InlineData("""{"column": "v", "min_value": -1, "max_value": 8, "strict_max": true}""", false)]
    [InlineData("""{"column": "v", "max_value": 8}""", true)]
    [InlineData("""{"column": "v", "min_value": 0, "mostly": 0.888}""", true)]
    [InlineData("""{"column": "v", "min_value": 0, "mostly": 0.89}""", false)]
    public async Task Between_StrictAndOpenBoundsAndMostly_FollowGx(string kwargs, bool expected)
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_between", kwargs);

        r.Success.ShouldBe(expected);
    }

    [Fact]
    public async Task Between_TimestampBoundsAsStrings_ComparedAsTimestamps()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_between",
            """{"column": "ts", "min_value": "2026-03-29T14:00:00Z", "max_value": "2026-03-29T15:30:00Z", "strict_max": true}""");

        r.Success.ShouldBeFalse();
        r.Result()["partial_unexpected_list"]![0]!.GetValue<string>().ShouldBe("2026-03-29T15:30:00Z");
    }

    [Fact]
    public async Task AnyExpectation_EmptyTable_PassesVacuouslyWithNullPercents()
    {
        var r = await Suites.RunOneAsync(db, "public.empty_t", "expect_column_values_to_be_between", """{"column": "v", "min_value": 0}""");

        r.Success.ShouldBeTrue();
        r.Result()["element_count"]!.GetValue<long>().ShouldBe(0);
        r.Result()["unexpected_percent"].ShouldBeNull();
    }

    [Fact]
    public async Task ColumnMin_EmptyTable_FailsBecauseThereIsNoObservedValue()
    {
        var r = await Suites.RunOneAsync(db, "public.empty_t", "expect_column_min_to_be_between", """{"column": "v", "min_value": 0}""");

        r.Success.ShouldBeFalse();
        r.Result()["observed_value"].ShouldBeNull();
    }

    [Fact]
    public async Task InSet_UnknownLevel_ReportsTheValueAndItsCount()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_in_set", """{"column": "level", "value_set": ["free", "paid"]}""");

        r.Success.ShouldBeFalse();
        r.Result()["partial_unexpected_counts"]![0]!["value"]!.GetValue<string>().ShouldBe("bronze");
    }

    [Fact]
    public async Task InSet_NumbersAgainstIntegerColumn_Pass()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_in_set", """{"column": "id", "value_set": [1, 2, 3, 4, 5, 6, 7, 8, 9]}""");

        r.Success.ShouldBeTrue();
    }

    [Fact]
    public async Task Regex_FourDigitZip_Fails()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_match_regex", """{"column": "zip", "regex": "^[0-9]{5}$"}""");

        r.Success.ShouldBeFalse();
        r.Result()["partial_unexpected_list"]![0]!.GetValue<string>().ShouldBe("4567");
    }

    [Fact]
    public async Task Regex_OnIntegerColumn_FailsWithExceptionInfo()
    {
        // A type mismatch is reported, never passed.
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_match_regex", """{"column": "id", "regex": "^1$"}""");

        r.Success.ShouldBeFalse();
        r.Json["exception_info"]!["raised_exception"]!.GetValue<bool>().ShouldBeTrue();
        r.ExceptionMessage!.ShouldContain("operator does not exist");
    }

    [Fact]
    public async Task Between_NumberBoundsOnTextColumn_FailsWithExceptionInfo()
    {
        var r = await Suites.RunOneAsync(db, "public.texty", "expect_column_values_to_be_between", """{"column": "n", "min_value": 0}""");

        r.Success.ShouldBeFalse();
        r.ExceptionMessage.ShouldNotBeNull();
    }

    [Fact]
    public async Task Unique_DuplicatedId_ReportsEveryDuplicateRow()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_unique", """{"column": "id"}""");

        r.Success.ShouldBeFalse();
        r.Result()["unexpected_count"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task CompoundUnique_DistinctPairs_Passes()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_compound_columns_to_be_unique", """{"column_list": ["id", "name"]}""");

        r.Success.ShouldBeTrue();
    }

    [Fact]
    public async Task CompoundUnique_DuplicatedPair_ListsTheRecords()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_compound_columns_to_be_unique", """{"column_list": ["id", "b"]}""");

        r.Success.ShouldBeFalse();
        r.Result()["partial_unexpected_list"]![0]!["id"]!.GetValue<int>().ShouldBe(9);
    }

    [Fact]
    public async Task PairGreater_DefaultIgnoresOnlyRowsWithBothMissing()
    {
        // a > b fails for (4,4) and for (6, null); (null, null) is ignored.
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_pair_values_a_to_be_greater_than_b", """{"column_A": "a", "column_B": "b"}""");

        r.Success.ShouldBeFalse();
        r.Result()["missing_count"]!.GetValue<long>().ShouldBe(1);
        r.Result()["unexpected_count"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task PairGreater_OrEqualIgnoringEitherMissing_Passes()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_pair_values_a_to_be_greater_than_b",
            """{"column_A": "a", "column_B": "b", "or_equal": true, "ignore_row_if": "either_value_is_missing"}""");

        r.Success.ShouldBeTrue();
        r.Result()["missing_count"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public async Task UniqueWithinRecord_EqualValues_Fails()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_select_column_values_to_be_unique_within_record", """{"column_list": ["a", "b"]}""");

        r.Success.ShouldBeFalse();
        r.Result()["unexpected_count"]!.GetValue<long>().ShouldBe(1);
    }

    [Theory]
    [InlineData("expect_table_row_count_to_be_between", """{"min_value": 10, "max_value": 10}""", true)]
    [InlineData("expect_table_row_count_to_be_between", """{"min_value": 10, "strict_min": true}""", false)]
    [InlineData("expect_column_min_to_be_between", """{"column": "v", "min_value": -1, "max_value": 0}""", true)]
    [InlineData("expect_column_max_to_be_between", """{"column": "v", "max_value": 8, "strict_max": true}""", false)]
    [InlineData("expect_column_mean_to_be_between", """{"column": "v", "min_value": 3.8, "max_value": 3.9}""", true)]
    [InlineData("expect_column_proportion_of_unique_values_to_be_between", """{"column": "id", "min_value": 0.9}""", true)]
    [InlineData("expect_column_proportion_of_unique_values_to_be_between", """{"column": "id", "min_value": 0.95}""", false)]
    [InlineData("expect_column_max_to_be_between", """{"column": "ts", "min_value": "2026-03-29T15:00:00Z"}""", true)]
    public async Task AggregateBetween_Bounds_FollowGx(string type, string kwargs, bool expected)
    {
        var r = await Suites.RunOneAsync(db, "public.t", type, kwargs);

        r.Success.ShouldBe(expected);
        r.Result().AsObject().ContainsKey("observed_value").ShouldBeTrue();
    }

    [Fact]
    public async Task RowCondition_RestrictsRowsBeforeTheExpectation()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_be_in_set",
            """{"column": "level", "value_set": ["free"], "row_condition": "col(\"id\")>=9", "condition_parser": "great_expectations"}""");

        r.Success.ShouldBeFalse();
        r.Result()["element_count"]!.GetValue<long>().ShouldBe(2);
    }

    [Theory]
    [InlineData("""{"column_set": ["id", "v", "name", "zip", "a", "b", "ts", "level"]}""", true)]
    [InlineData("""{"column_set": ["id", "v"]}""", false)]
    [InlineData("""{"column_set": ["id", "v"], "exact_match": false}""", true)]
    [InlineData("""{"column_set": ["id", "nope"], "exact_match": false}""", false)]
    public async Task ColumnsMatchSet_ExactOrSubset(string kwargs, bool expected)
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_table_columns_to_match_set", kwargs);

        r.Success.ShouldBe(expected);
    }

    [Theory]
    [InlineData("expect_column_to_exist", """{"column": "zip"}""", true)]
    [InlineData("expect_column_to_exist", """{"column": "zip", "column_index": 3}""", true)]
    [InlineData("expect_column_to_exist", """{"column": "zap"}""", false)]
    [InlineData("expect_column_values_to_be_of_type", """{"column": "ts", "type_": "TIMESTAMP"}""", true)]
    [InlineData("expect_column_values_to_be_of_type", """{"column": "id", "type_": "BIGINT"}""", false)]
    [InlineData("expect_column_values_to_be_of_type", """{"column": "v", "type_": "double precision"}""", true)]
    public async Task Schema_Expectations(string type, string kwargs, bool expected)
    {
        var r = await Suites.RunOneAsync(db, "public.t", type, kwargs);

        r.Success.ShouldBe(expected);
    }

    [Fact]
    public async Task AnyColumnExpectation_MissingColumn_FailsNamingTheColumns()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "expect_column_values_to_not_be_null", """{"column": "user_id"}""");

        r.Success.ShouldBeFalse();
        r.ExceptionMessage!.ShouldContain("column 'user_id' does not exist");
    }

    [Fact]
    public async Task HourBatch_OnlyRowsOfThatHour()
    {
        var batch = BatchSpec.ForTable("public.t") with
        {
            PartitionColumn = "ts",
            Start = new DateTimeOffset(2026, 3, 29, 14, 0, 0, TimeSpan.Zero),
            End = new DateTimeOffset(2026, 3, 29, 15, 0, 0, TimeSpan.Zero),
        };

        var r = await Suites.RunOneAsync(db, "public.t", "expect_table_row_count_to_be_between", """{"min_value": 6, "max_value": 6}""", batch);

        r.Success.ShouldBeTrue();
        r.Result()["observed_value"]!.GetValue<long>().ShouldBe(6);
    }

    [Fact]
    public async Task UnexpectedRows_QueryOverBatch_CountsAndSamplesRows()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "unexpected_rows_expectation", """{"unexpected_rows_query": "SELECT id, v FROM {batch} WHERE v < 0"}""");

        r.Success.ShouldBeFalse();
        r.Result()["observed_value"]!.GetValue<long>().ShouldBe(1);
        r.Result()["details"]!["unexpected_rows"]![0]!["v"]!.GetValue<double>().ShouldBe(-1);
    }

    [Fact]
    public async Task UnexpectedRows_WriteQuery_IsRejectedByTheReadOnlySession()
    {
        var r = await Suites.RunOneAsync(db, "public.t", "unexpected_rows_expectation",
            """{"unexpected_rows_query": "SELECT nextval('s') FROM {batch} b"}""");

        r.Success.ShouldBeFalse();
        r.ExceptionMessage!.ShouldContain("read-only");
    }

    [Fact]
    public async Task SuiteParameter_ResolvesExpressionIntoKwargs()
    {
        var suite = Suites.One("expect_column_max_to_be_between", """{"column": "ts", "min_value": {"$PARAMETER": "now - timedelta(hours=1)"}}""");

        var result = await Suites.RunAsync(db, suite, BatchSpec.ForTable("public.t"));

        result.Results[0].Success.ShouldBeTrue();
        result.Results[0].Json["expectation_config"]!["kwargs"]!["min_value"]!.GetValue<string>().ShouldBe("2026-03-29T14:00:00.000Z");
    }
}
