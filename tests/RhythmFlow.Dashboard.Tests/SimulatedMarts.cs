using System.Globalization;
using System.Text.Json;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Modeling;
using RhythmFlow.Modeling.Execution;
using RhythmFlow.Modeling.Project;
using RhythmFlow.Simulator;
using RhythmFlow.Testing;
using RhythmFlow.Transform;
using Serilog.Core;

namespace RhythmFlow.Dashboard.Tests;

/// <summary>
/// A warehouse holding the marts of two simulated days (2024-03-01 and 2024-03-02, 300 users, seed 7), built the way
/// the pipeline builds them: simulator → lake Parquet files and commit log → hourly transform → dbt models. Also runs
/// the dashboard on a free port over it. Shared by every test class of the collection, so it is built once.
/// </summary>
public sealed class SimulatedMarts : IAsyncLifetime
{
    public static readonly DateOnly Day = new(2024, 3, 2);
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2024, 3, 3, 0, 0, 0, TimeSpan.Zero);

    private readonly MigratedPostgresDatabase _database = new();
    private readonly string _scratch = Directory.CreateTempSubdirectory("rhythmflow-dashboard-").FullName;
    private DashboardServer? _server;

    public NpgsqlDataSource DataSource => _database.DataSource;

    public Uri Url => _server?.Url ?? throw new InvalidOperationException("The dashboard is not started.");

    /// <summary>A folder the tests may write artifacts (screenshots) into: TestResults/ next to the test binaries.</summary>
    public static string ArtifactsDir { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults")).FullName;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var lake = new LocalLakeStorage(Path.Combine(_scratch, "lake"));
        await LandSimulationAsync(lake);
        await new HourlyTransform(lake, DataSource, new TransformOptions(), Logger.None, TimeProvider.System)
            .RunAsync(new DataInterval(Start, End), null, CancellationToken.None);
        await BuildMartsAsync();
        _server = await DashboardServer.StartAsync(new DashboardOptions { Port = 0 }, DataSource, Logger.None, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    private static async Task LandSimulationAsync(ILakeStorage lake)
    {
        var sink = new HourlySink();
        var simulation = Simulation.Create(new SimulatorOptions { Users = 300, Start = Start, End = End, Seed = 7, Threads = 1 });
        await simulation.RunAsync(sink);

        var files = new List<CommittedFile>();
        long offset = 0;
        foreach (var ((topic, hour), events) in sink.Events)
        {
            var key = $"{LakeLayout.RawPartition(topic, hour)}/simulated.parquet";
            await using var upload = await lake.BeginUploadAsync(key, CancellationToken.None);
            using (var writer = new LakeEventWriter(upload.Content, topic, "simulated"))
            {
                foreach (var (json, ts) in events)
                {
                    writer.TryAppend(json, 0, offset++, ts, out var error).ShouldBeTrue(error.ToString());
                }
            }

            (await upload.CommitAsync(CancellationToken.None)).ShouldBeTrue();
            files.Add(new CommittedFile(key, LakeFileKind.Raw, topic, hour, events.Count, 0));
        }

        var log = await LakeCommitLog.OpenAsync(lake);
        await log.AppendAsync(new LakeCommit(0, "simulated", LakeCommitKind.Batch, End, "tests", "tests", [], files, [], [], null));
    }

    private async Task BuildMartsAsync()
    {
        var project = Path.Combine(_scratch, "dbt");
        var source = Path.Combine(RepositoryCheckout.Root, "dbt");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/target/", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(project, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        var database = new NpgsqlConnectionStringBuilder(_database.ConnectionString).Database;
        var dbt = DbtProject.Load(new ProjectLoadOptions(project) { Environment = name => name == "RHYTHMFLOW_PG_DATABASE" ? database : null });
        await using var dataSource = ModelingDataSource.Create(_database.ConnectionString);
        var output = new StringWriter();
        var outcome = await new ModelRunner(dbt, dataSource, output, Logger.None, TimeProvider.System)
            .RunAsync(new RunRequest(ModelCommand.Build, [], [], false), CancellationToken.None);
        outcome.Success.ShouldBeTrue(output.ToString());
    }

    /// <summary>Collects the simulator's events by topic and event hour, the partitions the lake keeps.</summary>
    private sealed class HourlySink : IEventSink
    {
        public SortedDictionary<(string Topic, DateTimeOffset Hour), List<(byte[] Json, long Ts)>> Events { get; } = [];

        public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
        {
            var bytes = json.ToArray();
            using var document = JsonDocument.Parse(bytes);
            var ts = document.RootElement.GetProperty("ts").GetInt64();
            var instant = DateTimeOffset.FromUnixTimeMilliseconds(ts);
            var hour = new DateTimeOffset(instant.Year, instant.Month, instant.Day, instant.Hour, 0, 0, TimeSpan.Zero);
            if (!Events.TryGetValue((topic, hour), out var list))
            {
                Events[(topic, hour)] = list = [];
            }

            list.Add((bytes, ts));
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatedMartsCollection : ICollectionFixture<SimulatedMarts>
{
    public const string Name = "simulated marts";
}

internal static class Formats
{
    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
