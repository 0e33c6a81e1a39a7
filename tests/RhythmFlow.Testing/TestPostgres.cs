using Npgsql;
using RhythmFlow.Warehouse;
using Serilog;

namespace RhythmFlow.Testing;

/// <summary>
/// The one private PostgreSQL of a test run: started on first use in a temporary folder (fsync off), stopped and
/// deleted when the test process exits. Instances left behind by killed test runs are cleaned up on the next start.
/// </summary>
public static class TestPostgres
{
    private const string Template = "rhythmflow_migrated_template";
    private static readonly string RunsRoot = Path.Combine(Path.GetTempPath(), "rhythmflow-pgtest");
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static readonly Lazy<Task<EmbeddedInstance>> Server = new(StartAsync);
    private static bool _templateReady;

    /// <summary>The installed PostgreSQL server binaries the test instance runs from.</summary>
    public static string ServerBinDir => new WarehouseOptions().ServerBinDir;

    /// <summary>The running instance (its connection string names the <c>postgres</c> database).</summary>
    public static Task<EmbeddedInstance> InstanceAsync() => Server.Value;

    /// <summary>Creates an empty database and returns its connection string; with migrations when asked.</summary>
    public static async Task<string> CreateDatabaseAsync(bool migrated, CancellationToken cancellationToken = default)
    {
        var instance = await InstanceAsync();
        if (migrated)
        {
            await EnsureTemplateAsync(instance, cancellationToken);
        }

        var name = $"t_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString(instance, "postgres")))
        {
            await admin.OpenAsync(cancellationToken);
            var template = migrated ? $" TEMPLATE {Template}" : string.Empty;
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}{template}", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(instance.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing its connections.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = SqlIdentifier.Require(new NpgsqlConnectionStringBuilder(connectionString).Database!, "Database");
        var instance = await InstanceAsync();
        await using var admin = new NpgsqlConnection(AdminConnectionString(instance, "postgres"));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static string AdminConnectionString(EmbeddedInstance instance, string database) =>
        new NpgsqlConnectionStringBuilder(instance.ConnectionString) { Database = database, Pooling = false }.ConnectionString;

    // Migrating once into a template and cloning it is much faster than migrating every test class's database.
    private static async Task EnsureTemplateAsync(EmbeddedInstance instance, CancellationToken cancellationToken)
    {
        await TemplateGate.WaitAsync(cancellationToken);
        try
        {
            if (_templateReady)
            {
                return;
            }

            await using (var admin = new NpgsqlConnection(AdminConnectionString(instance, "postgres")))
            {
                await admin.OpenAsync(cancellationToken);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {Template}", admin);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var dataSource = NpgsqlDataSource.Create(AdminConnectionString(instance, Template)))
            {
                await Migrator.MigrateAsync(dataSource, Log.Logger, cancellationToken);
            }

            _templateReady = true;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task<EmbeddedInstance> StartAsync()
    {
        Directory.CreateDirectory(RunsRoot);
        await RemoveAbandonedRunsAsync();
        var run = Path.Combine(RunsRoot, $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(run);
        await File.WriteAllTextAsync(Path.Combine(run, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var embedded = new EmbeddedPostgres(
            new WarehouseOptions { DataDir = Path.Combine(run, "warehouse"), Database = "postgres", Durable = false },
            run,
            Log.Logger);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAndDelete(run);
        return await embedded.StartAsync(CancellationToken.None);
    }

    private static async Task RemoveAbandonedRunsAsync()
    {
        foreach (var run in Directory.EnumerateDirectories(RunsRoot))
        {
            var ownerFile = Path.Combine(run, "owner.pid");
            if (File.Exists(ownerFile) && int.TryParse(await File.ReadAllTextAsync(ownerFile), out var owner) && IsAlive(owner))
            {
                continue;
            }

            StopAndDelete(run);
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // Synchronous on purpose: it runs in ProcessExit, where nothing may be awaited. An immediate stop is fine for
    // a throwaway cluster. Should the test host be killed halfway, the next run's sweep finishes the job, and a
    // server whose data folder vanished shuts itself down when it next checks its lock file.
    private static void StopAndDelete(string run)
    {
        try
        {
            new EmbeddedPostgres(new WarehouseOptions { DataDir = Path.Combine(run, "warehouse") }, run, Log.Logger)
                .DestroyAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Contracts.RhythmFlowException)
        {
            // A half-deleted run has no usable state file; deleting the folder below is all that is left to do.
        }

        try
        {
            Directory.Delete(run, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another test process may be sweeping the same folder.
        }
    }
}
