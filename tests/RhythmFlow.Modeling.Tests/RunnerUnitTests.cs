using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Graph;
using RhythmFlow.Modeling.Jinja;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Tests;

public sealed class RunnerUnitTests : IDisposable
{
    private readonly TempProject _project = new TempProject()
        .Write("models/staging/stg_a.sql", "select 1 as id")
        .Write("models/staging/stg_b.sql", "select 2 as id")
        .Write("models/intermediate/int_ab.sql", "{{ config(materialized='ephemeral', tags=['core']) }}select * from {{ ref('stg_a') }} union all select * from {{ ref('stg_b') }}")
        .Write("models/marts/fct_x.sql", "with x as (select * from {{ ref('int_ab') }}) select id, {{ var('answer') }} as answer, '{{ env_var('UNIT_ENV') }}' as e from x")
        .Write("models/marts/dim_y.sql", "{{ config(materialized='incremental', unique_key='id') }}select * from {{ ref('stg_a') }}{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}")
        .Write("models/marts/_marts.yml", """
            version: 2
            models:
              - name: fct_x
                columns:
                  - name: id
                    data_tests: [unique]
            """);

    public void Dispose() => _project.Dispose();

    private IReadOnlyList<string> SelectNames(string[] select, string[]? exclude = null)
    {
        var project = _project.Load();
        return [.. Selector.Select(project, new ProjectGraph(project), select, exclude ?? []).Select(id => project.Nodes[id].Name).Order(StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData("stg_a", "stg_a")]
    [InlineData("stg_a+", "dim_y,fct_x,int_ab,stg_a,unique_fct_x_id")]
    [InlineData("+fct_x", "fct_x,int_ab,stg_a,stg_b,unique_fct_x_id")]
    [InlineData("1+fct_x", "fct_x,int_ab,unique_fct_x_id")]
    [InlineData("stg_a+1", "dim_y,int_ab,stg_a")]
    [InlineData("path:models/staging", "stg_a,stg_b")]
    [InlineData("staging", "stg_a,stg_b")]
    [InlineData("tag:mart", "dim_y,fct_x,unique_fct_x_id")]
    [InlineData("tag:mart,stg_a+", "dim_y,fct_x,unique_fct_x_id")]
    [InlineData("stg_a stg_b", "stg_a,stg_b")]
    [InlineData("stg_*", "stg_a,stg_b")]
    [InlineData("unit.marts.fct_x", "fct_x,unique_fct_x_id")]
    public void Select_DbtSyntax_SelectsTheSameNodesAsDbt(string select, string expected)
    {
        string.Join(",", SelectNames([select])).ShouldBe(expected);
    }

    [Fact]
    public void Select_Exclude_RemovesNodesAndTheirTests()
    {
        string.Join(",", SelectNames(["tag:mart"], ["fct_x"])).ShouldBe("dim_y");
    }

    [Theory]
    [InlineData("@fct_x", "'@' operator")]
    [InlineData("config:materialized", "method 'config:'")]
    public void Select_UnsupportedSyntax_FailsClearly(string select, string message)
    {
        Should.Throw<UsageException>(() => SelectNames([select])).Message.ShouldContain(message);
    }

    [Fact]
    public void Load_ConfigFromProjectYamlAndFile_MergesInDbtOrder()
    {
        var project = _project.Load();

        project.NodeByName("stg_a").Materialized.ShouldBe("view");
        project.NodeByName("fct_x").Materialized.ShouldBe("table");
        project.NodeByName("int_ab").Materialized.ShouldBe("ephemeral");
        project.NodeByName("int_ab").Tags.ShouldBe(["core"]);
        project.NodeByName("fct_x").DependsOn.ShouldBe(["model.unit.int_ab"]);
    }

    [Fact]
    public void Compile_EphemeralRefAndVars_InjectsCteIntoExistingWith()
    {
        var project = _project.Load(new Dictionary<string, object?> { ["answer"] = 7L });

        var sql = project.Compile(project.NodeByName("fct_x"), new CompileOptions(Execute: true));

        sql.ShouldStartWith("with __dbt__cte__int_ab as (\nselect * from \"db\".\"analytics\".\"stg_a\" union all select * from \"db\".\"analytics\".\"stg_b\"\n), x as (select * from __dbt__cte__int_ab)");
        sql.ShouldContain("7 as answer, 'from-env' as e");
    }

    [Fact]
    public void Compile_IsIncremental_TrueOnlyWhenTableExistsAndNotFullRefresh()
    {
        var project = _project.Load();
        var node = project.NodeByName("dim_y");

        project.Compile(node, new CompileOptions(Execute: true, ExistsAsTable: _ => true)).ShouldContain("where id > (select max(id) from \"db\".\"analytics\".\"dim_y\")");
        project.Compile(node, new CompileOptions(Execute: true, FullRefresh: true, ExistsAsTable: _ => true)).ShouldNotContain("where");
        project.Compile(node, new CompileOptions(Execute: true, ExistsAsTable: _ => false)).ShouldNotContain("where");
    }

    [Fact]
    public void Load_RefCycle_FailsNamingTheCycle()
    {
        _project.Write("models/staging/stg_a.sql", "select * from {{ ref('fct_x') }}");
        var project = _project.Load();

        var error = Should.Throw<UsageException>(() => new ProjectGraph(project));

        error.Message.ShouldContain("Found a cycle: model.unit.fct_x --> model.unit.stg_a --> model.unit.int_ab --> model.unit.fct_x");
    }

    [Fact]
    public void Load_RefToMissingModel_FailsNamingFileAndModel()
    {
        _project.Write("models/marts/bad.sql", "\nselect * from {{ ref('nope') }}");

        var error = Should.Throw<JinjaException>(() => _project.Load());

        error.Message.ShouldBe("models/marts/bad.sql:2: 'bad' depends on a node named 'nope' which was not found");
    }

    [Theory]
    [InlineData("postgres", "pg:x")]
    [InlineData("bigquery", "default:x")]
    public void Compile_AdapterDispatch_PicksAdapterMacroThenDefault(string adapter, string expected)
    {
        using var project = new TempProject(adapter)
            .Write("macros/m.sql", "{% macro shout(x) %}{{ return(adapter.dispatch('shout')(x)) }}{% endmacro %}" +
                                   "{% macro postgres__shout(x) %}pg:{{ x }}{% endmacro %}{% macro default__shout(x) %}default:{{ x }}{% endmacro %}")
            .Write("models/a.sql", "{{ shout('x') }}");
        var loaded = project.Load();

        loaded.Compile(loaded.NodeByName("a"), new CompileOptions(Execute: true)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("postgres", "md5(cast(x as varchar)) date_trunc('hour', ts) bool_or(b)")]
    [InlineData("bigquery", "to_hex(md5(cast(x as string))) timestamp_trunc(cast(ts as timestamp), hour) logical_or(b)")]
    public void Compile_CrossDatabaseMacros_RenderPerAdapter(string adapter, string expected)
    {
        using var project = new TempProject(adapter).Write("models/a.sql", "{{ dbt.hash('x') }} {{ dbt.date_trunc('hour', 'ts') }} {{ dbt.bool_or('b') }}");
        var loaded = project.Load();

        loaded.Compile(loaded.NodeByName("a"), new CompileOptions(Execute: true)).ShouldBe(expected);
    }

    [Fact]
    public void Compile_RefOnlyReachedAtRunTime_FailsLikeDbtWithDependsOnHint()
    {
        _project.Write("models/marts/late.sql", "{{ config(materialized='incremental') }}select 1 as id{% if is_incremental() %} from {{ ref('stg_b') }}{% endif %}");
        var project = _project.Load();

        var error = Should.Throw<JinjaException>(() => project.Compile(project.NodeByName("late"), new CompileOptions(Execute: true, ExistsAsTable: _ => true)));

        error.Message.ShouldContain("unable to infer all dependencies");
        error.Hint.ShouldNotBeNull().ShouldContain("-- depends_on: {{ ref('stg_b') }}");
    }

    [Fact]
    public void Load_UnknownGenericTest_FailsNamingFileAndTest()
    {
        _project.Write("models/marts/_more.yml", "version: 2\nmodels:\n  - name: dim_y\n    columns:\n      - name: id\n        data_tests: [is_positive]\n");

        Should.Throw<UsageException>(() => _project.Load()).Message.ShouldBe("models/marts/_more.yml: 'dim_y' uses the test 'is_positive', which is not defined.");
    }

    [Fact]
    public void Compile_TestWhereWithVar_RendersTheVarLikeDbtRendersYamlConfigs()
    {
        _project.Write("models/marts/_more.yml", """
            version: 2
            models:
              - name: dim_y
                columns:
                  - name: id
                    data_tests:
                      - not_null:
                          config:
                            where: "id >= {{ var('since', 0) }}"
            """);
        var compile = (IReadOnlyDictionary<string, object?> vars) =>
        {
            var project = _project.Load(vars);
            return project.Compile(project.NodeByName("not_null_dim_y_id"), new CompileOptions(Execute: true));
        };

        var withVar = compile(new Dictionary<string, object?> { ["since"] = 7L });
        var withDefault = compile(new Dictionary<string, object?>());

        withVar.ShouldContain("(select * from \"db\".\"analytics\".\"dim_y\" where id >= 7) dbt_subquery");
        withDefault.ShouldContain("where id >= 0) dbt_subquery");
    }

    [Fact]
    public void Load_TestWhereWithRef_FailsBecauseYamlConfigsHaveNoRef()
    {
        _project.Write("models/marts/_more.yml", """
            version: 2
            models:
              - name: dim_y
                columns:
                  - name: id
                    data_tests:
                      - not_null:
                          config:
                            where: "id in (select id from {{ ref('stg_a') }})"
            """);
        var error = Should.Throw<JinjaException>(() => _project.Load());

        error.Message.ShouldBe("models/marts/_more.yml:1: 'ref' is undefined");
    }
}
