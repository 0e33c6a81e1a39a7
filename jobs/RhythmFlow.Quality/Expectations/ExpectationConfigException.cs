using RhythmFlow.Contracts;

namespace RhythmFlow.Quality.Expectations;

/// <summary>An expectation the validator cannot run as written: unknown type, missing or malformed kwarg.</summary>
public sealed class ExpectationConfigException(string suite, string expectationId, string type, string problem, string? hint = null)
    : RhythmFlowException($"Suite '{suite}', expectation '{expectationId}' ({type}): {problem}", hint ?? "Fix the suite file in great_expectations/gx/expectations/.")
{
    public string Suite { get; } = suite;

    public string ExpectationId { get; } = expectationId;
}
