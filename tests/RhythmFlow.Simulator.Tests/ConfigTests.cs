using RhythmFlow.Contracts;
using RhythmFlow.Simulator.Model;

namespace RhythmFlow.Simulator.Tests;

public class ConfigTests
{
    private static string ReferencePath(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);

    [Theory]
    [InlineData("example-config.json", 90.0)]
    [InlineData("alt-example-config.json", 85.0)]
    public void Load_ReferenceConfigs_LoadAsTheyAre(string file, double alpha)
    {
        var config = EventsimConfig.Load(ReferencePath(file));
        config.Alpha.ShouldBe(alpha);
        config.Transitions.Count.ShouldBeGreaterThan(190);
        new StateMachine(config).States.ShouldContain(s => s.Key.Page == "Cancellation Confirmation" && s.Key.Auth == "Cancelled");
    }

    [Fact]
    public void Default_MatchesEventsimsExampleConfig()
    {
        var config = EventsimConfig.Default();
        config.Beta.ShouldBe(604800.0);
        config.Damping.ShouldBe(0.09375);
        config.InitialLevels.ShouldBe([("free", 10L), ("paid", 2L)]);
        config.ShowUserDetails["Logged Out"].ShouldBeFalse();
        config.ShowUserDetails["Cancelled"].ShouldBeTrue();
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "\"p\":0.5}", "\"p\":0.9}", "sum to" },
        { "\"page\":\"Home\"", "\"page\":\"Homepage\"", "unknown page 'Homepage'" },
        { "\"auth\" : \"Logged Out\", \"show\"", "\"auth\" : \"Signed Out\", \"show\"", "unknown auth 'Signed Out'" },
        { "\"alpha\" : 90.0", "\"alpha\" : \"fast\"", "must be a number" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Parse_MalformedConfig_RejectedNamingFileFieldAndProblem(string find, string replace, string problem)
    {
        // Given eventsim's config with one defect
        var text = File.ReadAllText(ReferencePath("example-config.json"));
        text.ShouldContain(find);
        var broken = ReplaceFirst(text, find, replace);

        // When it is parsed
        var error = Should.Throw<UsageException>(() => EventsimConfig.Parse(broken, "broken.json"));

        // Then the message names the file, a field path and the problem
        error.Message.ShouldContain("'broken.json'");
        error.Message.ShouldContain("field '");
        error.Message.ShouldContain(problem);
        error.Hint.ShouldNotBeNull();
    }

    [Fact]
    public void Parse_ProbabilitiesAboveOne_NameTheTransitionAndState()
    {
        var text = File.ReadAllText(ReferencePath("example-config.json"));
        var error = Should.Throw<UsageException>(() => EventsimConfig.Parse(ReplaceFirst(text, "\"p\":0.5}", "\"p\":0.9}"), "x.json"));
        error.Message.ShouldMatch(@"field 'transitions\[\d+\]\.p' makes the probabilities leaving .+ sum to 1\.\d+, above 1");
    }

    [Fact]
    public void Create_MissingConfigFile_UsageErrorNamingThePath()
    {
        var error = Should.Throw<UsageException>(() => Simulation.Create(new SimulatorOptions { ConfigPath = "/nonexistent/eventsim.json" }));
        error.Message.ShouldContain("/nonexistent/eventsim.json");
    }

    [Fact]
    public void Create_EndBeforeStart_UsageError()
    {
        var start = SimulationRun.WeekStart;
        Should.Throw<UsageException>(() => Simulation.Create(new SimulatorOptions { Start = start, End = start.AddHours(-1) }))
            .Message.ShouldContain("not valid");
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }
}
