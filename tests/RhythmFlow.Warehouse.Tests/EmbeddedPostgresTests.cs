using Npgsql;
using RhythmFlow.Contracts;

namespace RhythmFlow.Warehouse.Tests;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("rhythmflow-embedded-").FullName;

    public EmbeddedPostgresTests() =>
        // Like a clone under /root: the service account that runs the server cannot traverse the work directory.
        File.SetUnixFileMode(_workDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    [Fact]
    public async Task StartAsync_FromNothing_StartsIsReusedAndStopsCleanly()
    {
        // Given
        var options = new WarehouseOptions { Durable = false };
        var first = new EmbeddedPostgres(options, _workDir, Serilog.Log.Logger);
        try
        {
            // When
            var started = await first.StartAsync(CancellationToken.None);
            var pid = await BackendPidOfPostmasterAsync(started.ConnectionString);
            var reused = await new EmbeddedPostgres(options, _workDir, Serilog.Log.Logger).StartAsync(CancellationToken.None);

            // Then
            reused.Port.ShouldBe(started.Port);
            (await BackendPidOfPostmasterAsync(reused.ConnectionString)).ShouldBe(pid);
            (await first.GetStatusAsync(CancellationToken.None)).Running.ShouldBeTrue();
            new NpgsqlConnectionStringBuilder(started.ConnectionString).Host.ShouldBe("127.0.0.1");
            (await first.StopAsync(CancellationToken.None)).ShouldBeTrue();
            var stopped = await first.GetStatusAsync(CancellationToken.None);
            stopped.Running.ShouldBeFalse();
            stopped.Initialised.ShouldBeTrue();
            File.Exists(Path.Combine(stopped.DataDir!, "postmaster.pid")).ShouldBeFalse();
            (await first.StopAsync(CancellationToken.None)).ShouldBeFalse();
        }
        finally
        {
            await first.DestroyAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task OpenAsync_ExternalConnectionString_StartsNoPrivateInstance()
    {
        // Given: an "external" PostgreSQL, here the test run's instance.
        var external = await Testing.TestPostgres.CreateDatabaseAsync(migrated: false);
        var options = new WarehouseOptions { ConnectionString = external };

        // When
        await using (var dataSource = await WarehouseDataSource.OpenAsync(options, _workDir, Serilog.Log.Logger, CancellationToken.None))
        {
            // Then
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM rhythmflow.schema_migrations", connection);
            ((long)(await command.ExecuteScalarAsync())!).ShouldBe(Migrator.All.Count);
        }

        Directory.Exists(Path.Combine(_workDir, "warehouse")).ShouldBeFalse();
        await Testing.TestPostgres.DropDatabaseAsync(external);
    }

    [Fact]
    public void Describe_ConnectionStringWithPassword_LeavesThePasswordOut()
    {
        var described = WarehouseDataSource.Describe("Host=db.example;Port=5433;Username=etl;Password=s3cret;Database=dw");

        described.ShouldBe("etl@db.example:5433/dw");
    }

    [Fact]
    public async Task OpenAsync_UnreachableServer_ThrowsNamingItWithoutPassword()
    {
        var options = new WarehouseOptions { ConnectionString = "Host=127.0.0.1;Port=1;Username=u;Password=hunter2;Database=d;Timeout=2" };

        var error = await Should.ThrowAsync<RhythmFlowException>(
            () => WarehouseDataSource.OpenAsync(options, _workDir, Serilog.Log.Logger, CancellationToken.None));

        error.Message.ShouldContain("u@127.0.0.1:1/d");
        error.Message.ShouldNotContain("hunter2");
    }

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    private static async Task<int> BackendPidOfPostmasterAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_postmaster_start_time()::text", connection);
        return ((string)(await command.ExecuteScalarAsync())!).GetHashCode(StringComparison.Ordinal);
    }
}
