using System.Diagnostics;
using System.Text;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>Paths in the repository and a way to run the tools the static checks use (python3, node, the CLI).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string TestFile(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>The built CLI next to the tests, so the contract is read from the same build the runner uses.</summary>
    public static string CliDll => System.IO.Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Root,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "RhythmFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"RhythmFlow.sln not found above {AppContext.BaseDirectory}");
    }
}
