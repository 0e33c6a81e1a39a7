namespace RhythmFlow.Contracts;

/// <summary>Bad input from the user (an option, a config file, an input file); the CLI exits with code 2.</summary>
public sealed class UsageException(string message, string? hint = null, Exception? inner = null)
    : RhythmFlowException(message, hint, inner);
