using System.Diagnostics;
using Dapper;
using RhythmFlow.Contracts;
using RhythmFlow.Testing;

namespace RhythmFlow.Transform.Tests;

public sealed class TransformKillTests(MigratedPostgresDatabase db) : IClassFixture<MigratedPostgresDatabase>, IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 4, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly TestLake _lake = new();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Transform_SigkillDuringCopy_LeavesNoPartialHourAndTheRerunCompletes(int connections)
    {
        // Given: the hour loaded once, then a large late batch (several files) landed into it
        var transform = new HourlyTransform(_lake.Storage, db.DataSource, new TransformOptions(), Serilog.Log.Logger, TimeProvider.System);
        var interval = new DataInterval(Hour, Hour.AddHours(1));
        await _lake.LandAsync(Topics.Listen, Hour, Events(0, 1_000));
        await transform.RunAsync(interval, null, CancellationToken.None);
        var before = await WarehouseChecks.ChecksumAsync(db.DataSource);
        for (var file = 1; file <= 6; file++)
        {
            await _lake.LandAsync(Topics.Listen, Hour, Events(file * 40_000, (file + 1) * 40_000));
        }

        // When: the CLI's transform, loading the hour over that many connections, is killed while its COPY streams rows
        using var child = StartCli(interval, connections);
        var sawCopy = await WaitForCopyInProgressAsync(child);
        child.Kill();
        await child.WaitForExitAsync();

        // Then
        sawCopy.ShouldBeTrue("the transform should have been caught in the middle of its COPY");
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(before);
        var rerun = await transform.RunAsync(interval, null, CancellationToken.None);
        rerun.Hours.Single().RowsLoaded.ShouldBe(1_000 + 240_000);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Listen, Hour)).ShouldBe(241_000);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        (await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'raw_hours' AND tablename LIKE '%\\_load%'"))
            .ShouldBeEmpty();
    }

    public void Dispose() => _lake.Dispose();

    private Process StartCli(DataInterval interval, int connections)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["RHYTHMFLOW_WAREHOUSE__CONNECTIONSTRING"] = db.ConnectionString,
                ["RHYTHMFLOW_TRANSFORM__LOADCONNECTIONS"] = connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RHYTHMFLOW_TRANSFORM__ROWSPERLOADCONNECTION"] = "50000",
            },
        };
        foreach (var argument in (string[])[
            Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll"), "--work-dir", _lake.Root, "--log-format", "json",
            "transform", "--lake", _lake.Root,
            "--interval-start", interval.Start.ToString("o"), "--interval-end", interval.End.ToString("o")])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls PostgreSQL's COPY progress view for this database until rows are streaming in.</summary>
    private async Task<bool> WaitForCopyInProgressAsync(Process child)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var deadline = Stopwatch.StartNew();
        while (!child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var rows = await connection.ExecuteScalarAsync<long?>(
                "SELECT max(tuples_processed) FROM pg_stat_progress_copy WHERE datname = current_database() AND pid <> pg_backend_pid()");
            if (rows > 0)
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }

    private static IEnumerable<object?[]> Events(int fromSession, int toSession) =>
        Enumerable.Range(fromSession, toSession - fromSession).Select(s => TestLake.Event(Topics.Listen, Hour, s, 1));
}
