using System.Text.Json;

namespace RhythmFlow.Cli.Tests;

public sealed class CommandsCommandTests
{
    [Fact]
    public async Task Commands_Json_ListsItselfWithGlobalOptions()
    {
        // Given
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);

        // When
        int exitCode;
        try
        {
            exitCode = await RhythmFlowCli.RunAsync(["commands", "--json"]);
        }
        finally
        {
            Console.SetOut(original);
        }

        // Then
        exitCode.ShouldBe(0);
        using var document = JsonDocument.Parse(output.ToString());
        var verbs = document.RootElement.GetProperty("verbs").EnumerateArray().ToList();
        var commands = verbs.Single(v => v.GetProperty("verb").GetString() == "commands");
        var optionNames = commands.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        optionNames.ShouldContain("--json");
        optionNames.ShouldContain("--work-dir");
        optionNames.ShouldContain("--log-format");
    }
}
