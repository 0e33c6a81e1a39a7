using RhythmFlow.Contracts;

namespace RhythmFlow.Modeling.Jinja;

/// <summary>A template that cannot be rendered: the message names the file, the line and the construct.</summary>
public sealed class JinjaException(string file, int line, string message, string? hint = null)
    : RhythmFlowException($"{file}:{line}: {message}", hint ?? "The runner implements the Jinja subset listed in docs/dbt.md; rewrite the construct with those.")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}
