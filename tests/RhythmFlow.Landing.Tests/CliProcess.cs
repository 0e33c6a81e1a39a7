using System.Diagnostics;
using System.Globalization;

namespace RhythmFlow.Landing.Tests;

/// <summary>
/// The real rhythmflow CLI (built next to the tests) as a child process, its stdout and stderr collected line by
/// line. Disposing kills it: disposing a <see cref="Process"/> alone leaves the child running.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    public const int Sigint = 2;
    public const int Sigterm = 15;
    public const int Sigcont = 18;
    public const int Sigstop = 19;

    private readonly Process process;
    private readonly List<string> stdout = [];
    private readonly List<string> stderr = [];
    private readonly Lock gate = new();

    private CliProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Stdout => Join(stdout);

    public string Stderr => Join(stderr);

    /// <summary>Both streams, for assertion messages.</summary>
    public string Output => $"stdout:\n{Stdout}\nstderr:\n{Stderr}";

    public static CliProcess Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll"));
        info.ArgumentList.Add("--log-format");
        info.ArgumentList.Add("json");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A killed member stays in the group until its session times out, and the dev broker completes a rebalance
        // only when that timer fires; keep it short so members join and take over fast.
        info.Environment["RHYTHMFLOW_Kafka__SessionTimeoutMs"] = "3000";
        var child = new CliProcess(Process.Start(info)!);
        child.process.OutputDataReceived += (_, e) => child.Add(child.stdout, e.Data);
        child.process.ErrorDataReceived += (_, e) => child.Add(child.stderr, e.Data);
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts <c>rhythmflow dev-broker</c> and reads its bootstrap servers from its first stdout line.</summary>
    public static async Task<(CliProcess Broker, string BootstrapServers)> StartDevBrokerAsync(int partitions)
    {
        var broker = Start("dev-broker", "--partitions", partitions.ToString(CultureInfo.InvariantCulture));
        try
        {
            var first = await broker.WaitForLineAsync("bootstrap.servers=", TimeSpan.FromSeconds(60));
            var bootstrap = first["bootstrap.servers=".Length..];
            bootstrap.ShouldStartWith("127.0.0.1:");
            return (broker, bootstrap);
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    /// <summary>Lines of stdout and stderr so far that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> LinesContaining(string text)
    {
        lock (gate)
        {
            return [.. stdout.Concat(stderr).Where(l => l.Contains(text, StringComparison.Ordinal))];
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> lines of stdout and stderr contain <paramref name="text"/> and returns the
    /// <paramref name="count"/>th; fails with the output if the process exits first or time runs out.
    /// </summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var exited = process.HasExited;
            if (exited)
            {
                // The rest of its output may still be on its way.
                process.WaitForExit();
            }

            if (LinesContaining(text) is { } lines && lines.Count >= count)
            {
                return lines[count - 1];
            }

            exited.ShouldBeFalse($"rhythmflow exited with {(exited ? process.ExitCode : 0)} before printing '{text}' {count} time(s); {Output}");
            (clock.Elapsed < timeout).ShouldBeTrue($"'{text}' not printed {count} time(s) within {timeout}; {Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the exit and returns the exit code, with all output read.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new ShouldAssertException($"rhythmflow did not exit within {timeout}; {Output}");
        }

        // The parameterless wait also waits for the redirected streams to reach their end.
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Paths of the files the process has open (from /proc), e.g. unfinished lake uploads.</summary>
    public IReadOnlyList<string> OpenFiles()
    {
        var open = new List<string>();
        foreach (var descriptor in Directory.EnumerateFileSystemEntries($"/proc/{Id}/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target)
                {
                    open.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed while listing.
            }
        }

        return open;
    }

    /// <summary>True once every thread of the process is stopped (SIGSTOP has taken effect), per /proc.</summary>
    public bool IsStopped()
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{Id}/task").All(task =>
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
            });
        }
        catch (IOException)
        {
            // A thread ended while listing: it was still running.
            return false;
        }
    }

    /// <summary>SIGKILL: no chance to clean up, the harshest way a pod or machine goes away.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>
    /// Sends <see cref="Sigterm"/> (an orchestrator stopping the process), <see cref="Sigint"/> (Ctrl+C) or
    /// <see cref="Sigstop"/> / <see cref="Sigcont"/> (a process frozen and thawed, as by a long pause of its VM).
    /// </summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", ["-s", signal.ToString(CultureInfo.InvariantCulture), Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        kill.ExitCode.ShouldBe(0, $"kill -s {signal} {Id} failed");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is not null)
        {
            lock (gate)
            {
                lines.Add(line);
            }
        }
    }

    private string Join(List<string> lines)
    {
        lock (gate)
        {
            return string.Join('\n', lines);
        }
    }
}
