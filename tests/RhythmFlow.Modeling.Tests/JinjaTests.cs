using RhythmFlow.Modeling.Jinja;

namespace RhythmFlow.Modeling.Tests;

public sealed class JinjaTests
{
    private static string Render(string source, Dictionary<string, object?>? globals = null) =>
        Template.Parse(source, "t.sql").Render(globals ?? []);

    [Theory]
    [InlineData("{{ 1 + 2 * 3 }}", "7")]
    [InlineData("{{ 'a' ~ 1 ~ none }}", "a1None")]
    [InlineData("{{ [1, 2] | join('-') }}", "1-2")]
    [InlineData("{{ 'x' if 2 > 1 else 'y' }}", "x")]
    [InlineData("{{ 3 in [1, 2, 3] and not (1 == 2) }}", "True")]
    [InlineData("{{ {'a': 1}['a'] }}{{ {'a': 1}.a }}", "11")]
    [InlineData("{{ '  pad ' | trim | upper }}", "PAD")]
    [InlineData("{{ x is none }} {{ y is defined }}", "True False")]
    [InlineData("{{ 7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }}", "3 2 3.5")]
    public void Render_Expressions_EvaluateAsJinjaDoes(string source, string expected)
    {
        Render(source, new() { ["x"] = null }).ShouldBe(expected);
    }

    [Fact]
    public void Render_ForLoopWithLoopVariablesAndSet_JoinsItems()
    {
        var source = "{% set items = ['a', 'b', 'c'] %}{% for i in items %}{{ loop.index }}{{ i }}{% if not loop.last %},{% endif %}{% endfor %}";

        Render(source).ShouldBe("1a,2b,3c");
    }

    [Fact]
    public void Render_WhitespaceControl_TrimsAroundTags()
    {
        Render("a  \n  {%- if true -%}  \n b \n {%- endif %}").ShouldBe("ab");
    }

    [Fact]
    public void Render_IfElifElse_PicksFirstTrueBranch()
    {
        Render("{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %}", new() { ["n"] = 2L }).ShouldBe("two");
    }

    [Fact]
    public void Render_MacroWithDefaultsAndReturn_CallsLikeAFunction()
    {
        var source = "{% macro greet(name, punct='!') %}hi {{ name }}{{ punct }}{% endmacro %}" +
                     "{% macro pick(x) %}{{ return([x, x]) }}{% endmacro %}" +
                     "{{ greet('bo') }} {{ greet('al', punct='?') }} {{ pick(3) | length }}";

        Render(source).ShouldBe("hi bo! hi al? 2");
    }

    [Fact]
    public void Render_DoAppend_MutatesList()
    {
        Render("{% set xs = [] %}{% do xs.append(1) %}{% do xs.append(2) %}{{ xs }}").ShouldBe("[1, 2]");
    }

    [Theory]
    [InlineData("line1\n{% call foo() %}x{% endcall %}", "t.sql:2", "unsupported Jinja tag '{% call %}'")]
    [InlineData("{{ missing }}", "t.sql:1", "'missing' is undefined")]
    [InlineData("\n\n{{ x | wordcount }}", "t.sql:3", "unsupported filter '| wordcount'")]
    [InlineData("{% if true %}no end", "t.sql:1", "missing '{% endif %}'")]
    [InlineData("{{ 1 ** 2 }}", "t.sql:1", "'**'")]
    [InlineData("{{ (1, 2) }}", "t.sql:1", "tuples are not supported")]
    [InlineData("{% set a %}block{% endset %}", "t.sql:1", "only '{% set name = expression %}'")]
    [InlineData("{{ x ", "t.sql:1", "never closed")]
    public void Render_UnsupportedOrBrokenConstruct_FailsNamingFileLineAndConstruct(string source, string location, string construct)
    {
        var error = Should.Throw<JinjaException>(() => Render(source, new() { ["x"] = 1L }));

        error.Message.ShouldStartWith(location);
        error.Message.ShouldContain(construct);
    }
}
