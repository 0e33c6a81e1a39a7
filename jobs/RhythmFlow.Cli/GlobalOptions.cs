using System.CommandLine;

namespace RhythmFlow.Cli;

/// <summary>Options every verb accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> WorkDir = new("--work-dir")
    {
        Description = "Folder for the lake, the embedded warehouse and run state (setting Paths:WorkDir).",
        Recursive = true,
    };

    public static readonly Option<string> LogFormat = new("--log-format")
    {
        Description = "Log format: text (default on a terminal) or json (JSON lines, the default otherwise).",
        Recursive = true,
    };

    public static readonly Option<string> LogLevel = new("--log-level")
    {
        Description = "Minimum log level: verbose, debug, information, warning, error.",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(WorkDir);
        root.Options.Add(LogFormat);
        root.Options.Add(LogLevel);
        LogFormat.AcceptOnlyFromAmong("text", "json");
        LogLevel.AcceptOnlyFromAmong("verbose", "debug", "information", "warning", "error");
    }
}
