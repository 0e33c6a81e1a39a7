using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RhythmFlow.Kafka.Tests;

/// <summary>Runs the rhythmflow CLI (built next to the tests) or kcat as a child process.</summary>
internal sealed partial class CliProcess : IDisposable
{
    private readonly Process _process;

    private CliProcess(Process process) => _process = process;

    public static CliProcess StartRhythmflow(params string[] arguments) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll"), "--log-format", "json", .. arguments]);

    public static CliProcess Start(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>Runs a program to its end and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments, string? stdin = null)
    {
        using var process = Start(program, arguments);
        if (stdin is not null)
        {
            await process._process.StandardInput.WriteAsync(stdin);
        }

        process._process.StandardInput.Close();
        var stdout = process._process.StandardOutput.ReadToEndAsync();
        var stderr = process._process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process._process.WaitForExitAsync(timeout.Token);
        return (process._process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>rhythmflow dev-broker</c> and returns its bootstrap servers from the first stdout line.</summary>
    public static async Task<(CliProcess Process, string FirstLine, string BootstrapServers)> StartDevBrokerAsync(params string[] arguments)
    {
        var process = StartRhythmflow(["dev-broker", .. arguments]);
        var line = await process._process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? string.Empty;
        var match = BootstrapLine().Match(line);
        return (process, line, match.Success ? match.Groups["servers"].Value : string.Empty);
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"^bootstrap\.servers=(?<servers>127\.0\.0\.1:\d+)$")]
    private static partial Regex BootstrapLine();
}
