using System.Diagnostics;
using RhythmFlow.Contracts;

namespace RhythmFlow.Warehouse;

/// <summary>
/// The account that runs the embedded server's programs: the current user, or an unprivileged service account when
/// RhythmFlow runs as root, because PostgreSQL refuses to run as root.
/// </summary>
internal sealed class ServerAccount
{
    private ServerAccount(string? serviceUser) => ServiceUser = serviceUser;

    /// <summary>Null when programs run as the current user.</summary>
    public string? ServiceUser { get; }

    public static ServerAccount Resolve(string? configuredUser)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return new ServerAccount(null);
        }

        var user = configuredUser ?? (UserExists("postgres") ? "postgres" : "nobody");
        if (!UserExists(user))
        {
            throw new UsageException(
                $"Setting 'Warehouse:ServiceUser' names '{user}', which is not an account on this machine.",
                "Name an existing unprivileged account (PostgreSQL refuses to run as root), e.g. postgres or nobody.");
        }

        return new ServerAccount(user);
    }

    /// <summary>Runs a program as this account, with '/' as working directory since the caller's may be unreadable to it.</summary>
    public async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ServiceUser is null)
        {
            start.FileName = program;
        }
        else
        {
            // setpriv changes uid/gid without PAM or a login shell, so it works for nologin accounts such as nobody.
            start.FileName = "setpriv";
            foreach (var part in (string[])["--reuid", ServiceUser, "--regid", PrimaryGroupOf(ServiceUser), "--init-groups", "--", program])
            {
                start.ArgumentList.Add(part);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new RhythmFlowException($"Could not start '{program}'.", "Check that PostgreSQL's server binaries are installed.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            throw new RhythmFlowException(
                $"'{Path.GetFileName(program)} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode}: {output.Trim()}",
                "See the PostgreSQL log in the warehouse folder; 'rhythmflow warehouse status' shows where it is.");
        }

        return output;
    }

    /// <summary>Gives a file or folder to this account; a no-op when programs run as the current user.</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken)
    {
        if (ServiceUser is not null)
        {
            await RunAsRootAsync("chown", [$"{ServiceUser}:{PrimaryGroupOf(ServiceUser)}", path], cancellationToken);
        }
    }

    /// <summary>True when this account can open <paramref name="directory"/> (every ancestor must be searchable).</summary>
    public async Task<bool> CanReachAsync(string directory, CancellationToken cancellationToken)
    {
        if (ServiceUser is null)
        {
            return true;
        }

        try
        {
            await RunAsync("/usr/bin/test", ["-w", directory, "-a", "-x", directory], cancellationToken);
            return true;
        }
        catch (RhythmFlowException)
        {
            return false;
        }
    }

    private static async Task RunAsRootAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        await new ServerAccount(null).RunAsync(program, arguments, cancellationToken);

    private static bool UserExists(string user) => PasswdEntry(user) is not null;

    private static string PrimaryGroupOf(string user)
    {
        var gid = PasswdEntry(user)?[3] ?? throw new UsageException($"Account '{user}' does not exist.");
        var group = File.ReadLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == gid);
        return group?[0] ?? gid;
    }

    private static string[]? PasswdEntry(string user) =>
        File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == user);
}
