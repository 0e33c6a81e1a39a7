using RhythmFlow.Quality.Expectations;
using RhythmFlow.Quality.Suites;
using RhythmFlow.Quality.Validation;
using RhythmFlow.Testing;

namespace RhythmFlow.Quality.Tests;

public sealed class SuiteFileTests(CraftedTables db) : IClassFixture<CraftedTables>
{
    private static ExpectationConfigException CompileError(string type, string kwargs) =>
        Should.Throw<ExpectationConfigException>(() => SuiteValidator.Compile(Suites.One(type, kwargs), new SuiteParameters(new Dictionary<string, object>())));

    [Fact]
    public void Compile_UnknownType_NamesSuiteIdAndKnownTypes()
    {
        var ex = CompileError("expect_column_values_to_be_purple", """{"column": "v"}""");

        ex.Message.ShouldBe("Suite 't', expectation 'e1' (expect_column_values_to_be_purple): unknown expectation type.");
        ex.Hint!.ShouldContain("expect_column_values_to_be_between");
    }

    [Theory]
    [InlineData("expect_column_values_to_be_between", """{"column": "v", "min_value": 0, "maxx": 1}""", "unknown kwarg 'maxx'")]
    [InlineData("expect_column_values_to_be_between", """{"column": "v"}""", "neither 'min_value' nor 'max_value' is set")]
    [InlineData("expect_column_values_to_not_be_null", """{"column": "v", "mostly": 1.5}""", "'mostly' must be between 0 and 1")]
    [InlineData("expect_column_values_to_not_be_null", """{"column": "v; drop table t"}""", "is not a valid column name")]
    [InlineData("expect_column_values_to_be_in_set", """{"column": "v", "value_set": []}""", "'value_set' is empty")]
    [InlineData("expect_column_values_to_not_be_null", """{}""", "kwarg 'column' is required")]
    [InlineData("expect_compound_columns_to_be_unique", """{"column_list": ["a"]}""", "needs at least 2 columns")]
    [InlineData("expect_column_pair_values_a_to_be_greater_than_b", """{"column_A": "a", "column_B": "b", "ignore_row_if": "sometimes"}""", "'ignore_row_if' = 'sometimes'")]
    [InlineData("expect_column_values_to_be_in_set", """{"column": "v", "value_set": [1], "row_condition": "v > 1", "condition_parser": "great_expectations"}""", "cannot be parsed")]
    [InlineData("expect_column_values_to_be_in_set", """{"column": "v", "value_set": [1], "row_condition": "v > 1", "condition_parser": "pandas"}""", "cannot run on SQL")]
    [InlineData("expect_column_max_to_be_between", """{"column": "v", "min_value": {"$PARAMETER": "interval_start"}}""", "no value for parameter 'interval_start'")]
    [InlineData("unexpected_rows_expectation", """{"unexpected_rows_query": "DELETE FROM t"}""", "must be a single SELECT")]
    public void Compile_BadKwargs_ErrorNamesTheProblem(string type, string kwargs, string problem)
    {
        var ex = CompileError(type, kwargs);

        ex.Message.ShouldStartWith($"Suite 't', expectation 'e1' ({type}): ");
        ex.Message.ShouldContain(problem);
    }

    [Fact]
    public void Load_MissingSeverity_IsAnError()
    {
        var ex = Should.Throw<RhythmFlow.Contracts.UsageException>(() => Suites.Parse(
            """{"name": "s", "expectations": [{"id": "x", "type": "expect_column_to_exist", "kwargs": {"column": "a"}}]}"""));

        ex.Message.ShouldContain("expectation 'x' (expect_column_to_exist) has no meta.severity");
    }

    [Fact]
    public void Load_GxZeroKeys_AreRejectedWithTheOneXName()
    {
        var ex = Should.Throw<RhythmFlow.Contracts.UsageException>(() => Suites.Parse("""{"expectation_suite_name": "s", "expectations": []}"""));

        ex.Hint!.ShouldContain("'name'");
    }

    [Fact]
    public void Repository_EverySuiteFile_Compiles()
    {
        var project = GxProject.Open(RepositoryPaths.GxProject);
        var parameters = new SuiteParameters(new Dictionary<string, object>
        {
            ["now"] = Suites.Now,
            ["interval_start"] = Suites.Now.AddHours(-1),
            ["interval_end"] = Suites.Now,
            ["interval_hours"] = 1.0,
        });

        foreach (var name in new[] { "raw_hourly", "marts_hourly" })
        {
            foreach (var definition in project.Checkpoint(name).ValidationDefinitions.Select(project.ValidationDefinition))
            {
                SuiteValidator.Compile(project.Suite(definition.Suite), parameters).ShouldNotBeEmpty();
            }
        }
    }

    [Fact]
    public async Task ResultJson_HasGxFieldLayout()
    {
        var suite = Suites.One("expect_column_values_to_be_between", """{"column": "v", "min_value": 0}""", severity: "warning");

        var result = await Suites.RunAsync(db, suite, BatchSpec.ForTable("public.t"));

        // Then: the suite-level keys of ExpectationSuiteValidationResult, in order
        result.Json.Select(p => p.Key).ShouldBe(["success", "results", "suite_name", "suite_parameters", "statistics", "meta", "id"]);
        result.Json["statistics"]!.AsObject().Select(p => p.Key)
            .ShouldBe(["evaluated_expectations", "successful_expectations", "unsuccessful_expectations", "success_percent"]);
        result.Json["statistics"]!["success_percent"]!.GetValue<double>().ShouldBe(0.0);
        var one = result.Json["results"]![0]!.AsObject();
        one.Select(p => p.Key).ShouldBe(["success", "expectation_config", "result", "meta", "exception_info"]);
        one["expectation_config"]!.AsObject().Select(p => p.Key).ShouldBe(["type", "kwargs", "meta", "id"]);
        one["exception_info"]!.AsObject().Select(p => p.Key).ShouldBe(["raised_exception", "exception_traceback", "exception_message"]);
        one["result"]!.AsObject().Select(p => p.Key).ShouldBe(
        [
            "element_count", "unexpected_count", "unexpected_percent", "partial_unexpected_list", "missing_count",
            "missing_percent", "unexpected_percent_total", "unexpected_percent_nonmissing", "partial_unexpected_counts",
        ]);
        one["expectation_config"]!["meta"]!["severity"]!.GetValue<string>().ShouldBe("warning");
    }
}

internal static class RepositoryPaths
{
    public static string Root => RepositoryCheckout.Root;

    public static string GxProject => Path.Combine(Root, "great_expectations");
}
