using System.Diagnostics;
using System.Text;

namespace RhythmFlow.Testing;

/// <summary>
/// The checkout the tests run from (the real dbt project, GX suites, npm verifiers) and a way to run the tools the
/// tests check RhythmFlow with: python3, node and the built CLI.
/// </summary>
public static class RepositoryCheckout
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// Runs a process to its end, reading stdout and stderr concurrently (reading one after the other can deadlock
    /// on a full pipe). With <paramref name="timeout"/>, a process still running then is killed and the run fails.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
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
        using var deadline = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} still ran after {timeout}; killed it.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RhythmFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"RhythmFlow.sln not found above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
