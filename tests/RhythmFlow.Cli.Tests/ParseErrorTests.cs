namespace RhythmFlow.Cli.Tests;

public sealed class ParseErrorTests
{
    [Theory]
    [InlineData("no-such-verb")]
    [InlineData("commands", "--no-such-option")]
    [InlineData("--log-format", "xml", "commands")]
    public async Task RunAsync_BadArguments_ExitsWithUsageError(params string[] args)
    {
        var exitCode = await RhythmFlowCli.RunAsync(args);

        exitCode.ShouldBe(RhythmFlowCli.UsageError);
    }
}
