using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Warehouse;

/// <summary>
/// A private PostgreSQL started from the installed server binaries, with its cluster under the work directory,
/// listening on 127.0.0.1 only. Its state file lets every later invocation find and reuse the running instance.
/// </summary>
public sealed class EmbeddedPostgres
{
    private const string StateFileName = "instance.json";
    private const string SuperUser = "rhythmflow";
    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true };

    private readonly WarehouseOptions _options;
    private readonly ILogger _logger;

    public EmbeddedPostgres(WarehouseOptions options, string workDir, ILogger logger)
    {
        _options = options;
        _logger = logger;
        Root = Path.GetFullPath(options.DataDir ?? Path.Combine(workDir, "warehouse"));
    }

    /// <summary>The warehouse folder: the state file, and the cluster unless the service account cannot reach it.</summary>
    public string Root { get; }

    private string StatePath => Path.Combine(Root, StateFileName);

    /// <summary>Returns the running instance, initialising and starting it first when needed.</summary>
    public async Task<EmbeddedInstance> StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        await using var startLock = await AcquireLockAsync(cancellationToken);
        var account = ServerAccount.Resolve(_options.ServiceUser);
        var state = ReadState() ?? await InitialiseAsync(account, cancellationToken);
        // The probe's connection also checks the database: one connection less for every verb's start-up.
        if (MayBeServing(state))
        {
            await using var probe = ProbeDataSource(state);
            await using var running = await TryConnectAsync(probe, cancellationToken);
            if (running is not null)
            {
                _logger.Debug("Reusing the embedded warehouse on 127.0.0.1:{Port}", state.Port);
                return await EnsureDatabaseAsync(running, state, cancellationToken);
            }
        }

        var port = _options.Port != 0 ? _options.Port : FreePort();
        state = state with { Port = port };
        // wal_level=minimal: nothing replicates or archives this private instance, and it lets a table created and
        // filled in one transaction (how the transform loads an hour) skip the WAL; PostgreSQL fsyncs that table at
        // commit instead, so a committed hour stays durable.
        var serverOptions = $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
            + " -c wal_level=minimal -c max_wal_senders=0"
            + (_options.Durable ? string.Empty : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        _logger.Information("Starting the embedded warehouse on 127.0.0.1:{Port} (cluster {DataDir})", port, state.DataDir);
        await account.RunAsync(
            PgCtl,
            ["start", "-w", "-t", _options.StartTimeoutSeconds.ToString(CultureInfo.InvariantCulture), "-D", state.DataDir,
                "-l", LogPath(state), "-o", serverOptions],
            cancellationToken);
        WriteState(state);
        await using var admin = AdminDataSource(state);
        await using var connection = await admin.OpenConnectionAsync(cancellationToken);
        return await EnsureDatabaseAsync(connection, state, cancellationToken);
    }

    /// <summary>Stops the instance if it runs; returns false when there was nothing to stop.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken)
    {
        if (ReadState() is not { } state || !File.Exists(Path.Combine(state.DataDir, "postmaster.pid")))
        {
            return false;
        }

        await using var startLock = await AcquireLockAsync(cancellationToken);
        var account = ServerAccount.Resolve(state.ServiceUser ?? _options.ServiceUser);
        _logger.Information("Stopping the embedded warehouse (cluster {DataDir})", state.DataDir);
        await account.RunAsync(
            PgCtl,
            ["stop", "-w", "-m", "fast", "-t", _options.StartTimeoutSeconds.ToString(CultureInfo.InvariantCulture), "-D", state.DataDir],
            cancellationToken);
        return true;
    }

    /// <summary>
    /// Stops the instance at once (no checkpoint) and deletes the cluster and the warehouse folder: for throwaway
    /// instances such as a test run's.
    /// </summary>
    public async Task DestroyAsync(CancellationToken cancellationToken)
    {
        if (ReadState() is { } state)
        {
            if (File.Exists(Path.Combine(state.DataDir, "postmaster.pid")))
            {
                await ServerAccount.Resolve(state.ServiceUser ?? _options.ServiceUser).RunAsync(
                    PgCtl, ["stop", "-w", "-m", "immediate", "-D", state.DataDir], cancellationToken);
            }

            Directory.Delete(state.DataDir, recursive: true);
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>What a user needs to know: initialised or not, running or not, where, on which port.</summary>
    public async Task<EmbeddedStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var state = ReadState();
        return state is null
            ? new EmbeddedStatus(Root, null, false, null, null, null)
            : new EmbeddedStatus(
                Root,
                state.DataDir,
                await IsServingAsync(state, cancellationToken),
                state.Port,
                state.ServiceUser,
                LogPath(state));
    }

    private string PgCtl => Path.Combine(_options.ServerBinDir, "pg_ctl");

    private static string LogPath(InstanceState state) => Path.Combine(state.DataDir, "server.log");

    private async Task<InstanceState> InitialiseAsync(ServerAccount account, CancellationToken cancellationToken)
    {
        var initdb = Path.Combine(_options.ServerBinDir, "initdb");
        if (!File.Exists(initdb))
        {
            throw new RhythmFlowException(
                $"PostgreSQL's server binaries are not in '{_options.ServerBinDir}' (no initdb there).",
                "Install them (scripts/system-packages.sh runtime installs 'postgresql'), set Warehouse:ServerBinDir, "
                + "or point Warehouse:ConnectionString (--warehouse) at an existing PostgreSQL.");
        }

        var dataDir = await ChooseClusterDirAsync(account, cancellationToken);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var passwordFile = Path.Combine(Path.GetTempPath(), $"rhythmflow-pw-{Guid.NewGuid():N}");
        File.WriteAllText(passwordFile, password + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            await account.TakeOwnershipAsync(passwordFile, cancellationToken);
            _logger.Information("Initialising the embedded warehouse cluster in {DataDir}", dataDir);
            await account.RunAsync(
                initdb,
                ["-D", dataDir, "-U", SuperUser, "--pwfile", passwordFile, "--auth=scram-sha-256", "-E", "UTF8",
                    "--locale=C", .. _options.Durable ? Array.Empty<string>() : ["--no-sync"]],
                cancellationToken);
        }
        catch
        {
            // initdb refuses a non-empty folder, so a half-initialised cluster would block every later attempt.
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var state = new InstanceState(dataDir, account.ServiceUser, password, 0);
        WriteState(state);
        return state;
    }

    /// <summary>
    /// The cluster goes in <c>Root/data</c>, unless the service account cannot traverse the path to it (a clone under
    /// /root, say); then it goes in a folder of its own under /var/tmp, named after the warehouse folder.
    /// </summary>
    private async Task<string> ChooseClusterDirAsync(ServerAccount account, CancellationToken cancellationToken)
    {
        var inside = Path.Combine(Root, "data");
        Directory.CreateDirectory(inside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await account.TakeOwnershipAsync(inside, cancellationToken);
        if (await account.CanReachAsync(inside, cancellationToken))
        {
            return inside;
        }

        Directory.Delete(inside);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Root)))[..16].ToLowerInvariant();
        var outside = Path.Combine("/var/tmp", $"rhythmflow-warehouse-{hash}");
        _logger.Information(
            "Account {User} cannot reach {Root}; keeping the cluster in {DataDir} (recorded in {StateFile})",
            account.ServiceUser, Root, outside, StatePath);
        Directory.CreateDirectory(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await account.TakeOwnershipAsync(outside, cancellationToken);
        return outside;
    }

    /// <summary>Creates the configured database when missing, over <paramref name="connection"/> to the maintenance database.</summary>
    private async Task<EmbeddedInstance> EnsureDatabaseAsync(NpgsqlConnection connection, InstanceState state, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = _options.Database } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // The name passed WarehouseOptions' pattern, and CREATE DATABASE takes no parameters.
            await using var create = new NpgsqlCommand($"CREATE DATABASE {SqlIdentifier.Quote(_options.Database)}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new EmbeddedInstance(state.Port, state.DataDir, ConnectionStringFor(state, _options.Database));
    }

    private static string ConnectionStringFor(InstanceState state, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = state.Port,
        Username = SuperUser,
        Password = state.Password,
        Database = database,
    }.ConnectionString;

    /// <summary>The maintenance database, for checks that need no type beyond the built-in ones.</summary>
    private static NpgsqlDataSource AdminDataSource(InstanceState state, Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionStringFor(state, "postgres"));
        configure?.Invoke(builder.ConnectionStringBuilder);
        // Loading the server's type catalog (a query and its processing on every new data source) is start-up time
        // that every CLI verb would pay for a check.
        builder.ConfigureTypeLoading(t => t.EnableTypeLoading(false));
        return builder.Build();
    }

    private static async Task<bool> IsServingAsync(InstanceState state, CancellationToken cancellationToken)
    {
        if (!MayBeServing(state))
        {
            return false;
        }

        await using var probe = ProbeDataSource(state);
        await using var connection = await TryConnectAsync(probe, cancellationToken);
        return connection is not null;
    }

    private static bool MayBeServing(InstanceState state) => state.Port != 0 && File.Exists(Path.Combine(state.DataDir, "postmaster.pid"));

    /// <summary>Unpooled, with a short timeout: for finding out whether the instance answers.</summary>
    private static NpgsqlDataSource ProbeDataSource(InstanceState state) => AdminDataSource(state, b => (b.Timeout, b.Pooling) = (3, false));

    /// <summary>A connection to the instance's maintenance database through <paramref name="probe"/>; null when nothing answers there.</summary>
    private static async Task<NpgsqlConnection?> TryConnectAsync(NpgsqlDataSource probe, CancellationToken cancellationToken)
    {
        try
        {
            return await probe.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Serialises starts and stops across processes, so two invocations never initialise the same cluster.</summary>
    private async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Root, ".lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private InstanceState? ReadState()
    {
        if (!File.Exists(StatePath))
        {
            return null;
        }

        var state = JsonSerializer.Deserialize<InstanceState>(File.ReadAllText(StatePath), StateJson);
        return state is not null && File.Exists(Path.Combine(state.DataDir, "PG_VERSION"))
            ? state
            : throw new RhythmFlowException(
                $"The embedded warehouse state file '{StatePath}' points at a cluster that does not exist.",
                $"Delete '{Root}' to start over with an empty warehouse.");
    }

    // The state holds the generated password, so only its owner may read it.
    private void WriteState(InstanceState state)
    {
        var temporary = StatePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, StateJson));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, StatePath, overwrite: true);
    }

    private sealed record InstanceState(string DataDir, string? ServiceUser, string Password, int Port);
}

/// <summary>A running embedded instance. <see cref="ConnectionString"/> holds the password: never log it.</summary>
public sealed class EmbeddedInstance(int port, string dataDir, string connectionString)
{
    public int Port { get; } = port;

    public string DataDir { get; } = dataDir;

    public string ConnectionString { get; } = connectionString;

    public override string ToString() => $"embedded PostgreSQL on 127.0.0.1:{Port} ({DataDir})";
}

/// <summary>The embedded instance as <c>rhythmflow warehouse status</c> reports it.</summary>
public sealed record EmbeddedStatus(string Root, string? DataDir, bool Running, int? Port, string? ServiceUser, string? LogFile)
{
    public bool Initialised => DataDir is not null;
}
