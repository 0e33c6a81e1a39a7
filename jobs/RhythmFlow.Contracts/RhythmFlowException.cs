namespace RhythmFlow.Contracts;

/// <summary>
/// A failure the user can act on: the message says what failed and where, <see cref="Hint"/> says what to do.
/// The CLI prints these without a stack trace.
/// </summary>
public class RhythmFlowException : Exception
{
    public RhythmFlowException(string message, string? hint = null, Exception? inner = null)
        : base(message, inner) => Hint = hint;

    public string? Hint { get; }
}
