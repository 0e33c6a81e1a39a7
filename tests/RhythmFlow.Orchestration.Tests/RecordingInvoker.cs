using RhythmFlow.Orchestration;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>
/// Stands in for the CLI's verb tree when a test is about scheduling, not about what the verbs do: it records each
/// command line and answers with the exit code the test chose.
/// </summary>
internal sealed class RecordingInvoker(Func<IReadOnlyList<string>, int>? exitCode = null) : IVerbInvoker
{
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public Task<int> InvokeAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_calls)
        {
            _calls.Add(string.Join(' ', arguments));
        }

        return Task.FromResult(exitCode?.Invoke(arguments) ?? 0);
    }
}
