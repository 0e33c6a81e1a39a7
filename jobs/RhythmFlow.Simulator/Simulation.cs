using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Simulator.Model;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator;

/// <summary>
/// An eventsim-compatible simulation, configured by <see cref="SimulatorOptions"/> and run into an
/// <see cref="IEventSink"/>. Users are split over a fixed number of shards, each with its own seeded
/// generator; shards simulate one window of simulated time at a time, in parallel, and their events are
/// merged by timestamp (ties by shard), so the output is the same byte for byte for any thread count.
/// </summary>
public sealed class Simulation
{
    /// <summary>Fixed, so the split of users (and so every draw) never depends on the machine.</summary>
    public const int ShardCount = 16;

    /// <summary>log2 of <see cref="ShardCount"/>: the merge packs (ts, shard) into one long.</summary>
    private const int ShardBits = 4;

    private const double YearSeconds = 31_557_600;
    private static readonly string[] TopicByIndex = [Topics.Listen, Topics.PageView, Topics.Auth, Topics.StatusChange];

    private readonly SimulationModel _model;
    private readonly Shard[] _shards;
    private readonly TimeProvider _time;
    private readonly bool _continuous;
    private readonly double _speed;
    private readonly long _windowSeconds;

    private Simulation(SimulationModel model, Shard[] shards, TimeProvider time, SimulatorOptions options, int initialUsers, int finalUsers, string configSource)
    {
        _model = model;
        _shards = shards;
        _time = time;
        _continuous = options.Continuous;
        _speed = options.Speed;
        Threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        InitialUsers = initialUsers;
        FinalUsers = finalUsers;
        ConfigSource = configSource;
        // Windows bound the buffered events (about 50,000 users' hour) without depending on the thread count.
        // Smaller windows cost a thread handoff each, which a loaded machine makes slow, and saved no CPU time.
        _windowSeconds = Math.Clamp(3600L * 50_000 / Math.Max(1, finalUsers), 60, 3600);
    }

    public DateTimeOffset Start => DateTimeOffset.FromUnixTimeSeconds(_model.StartSeconds);

    public DateTimeOffset End => DateTimeOffset.FromUnixTimeSeconds(_model.EndSeconds);

    public long Seed => _model.Seed;

    public int Threads { get; }

    public int InitialUsers { get; }

    /// <summary>Initial users plus the growth users who arrive before the end.</summary>
    public int FinalUsers { get; }

    public string ConfigSource { get; }

    /// <summary>Loads the config and catalog and lays out users and growth; throws <see cref="UsageException"/> on bad input.</summary>
    public static Simulation Create(SimulatorOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        SettingsValidator.Validate(options, "Simulator");
        var config = options.ConfigPath is null ? EventsimConfig.Default() : EventsimConfig.Load(options.ConfigPath);
        var catalog = options.CatalogPath is null ? SongCatalog.Generated() : SongCatalog.Load(options.CatalogPath);

        var now = time.GetUtcNow();
        now = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var start = options.Start ?? config.StartDate ?? (options.Continuous ? now : now.AddDays(-1));
        var end = options.End ?? config.EndDate ?? start.AddDays(1);
        if (start.Ticks % TimeSpan.TicksPerSecond != 0 || end <= start)
        {
            throw new UsageException(
                $"The simulation window {start:O} .. {end:O} is not valid: the start must be whole seconds and before the end.",
                "Pass --start and --end as ISO-8601 UTC times, for example --start 2024-03-01T00:00:00Z --end 2024-03-08T00:00:00Z.");
        }

        var users = options.Users ?? config.Users ?? 1000;
        var growth = options.GrowthRate ?? config.GrowthRate ?? 0;
        var firstUserId = options.FirstUserId ?? config.FirstUserId ?? 1;
        var seed = options.Seed ?? config.Seed ?? 0;
        var tag = options.Tag ?? config.Tag;
        var people = Populations.Instance;
        var tagBytes = tag is null ? [] : JsonText.Field("tag", tag);
        var model = new SimulationModel
        {
            Machine = new StateMachine(config),
            People = people,
            Catalog = catalog,
            Rhythm = new Rhythm(config),
            StartSeconds = start.ToUnixTimeSeconds(),
            EndSeconds = end.ToUnixTimeSeconds(),
            Seed = seed,
            GrowthRate = growth,
            Tag = tagBytes,
            MaxEventBytes = 512 + tagBytes.Length
                + people.Places.Max(p => p.Before.Length + p.After.Length)
                + people.Agents.Max(a => a.Length)
                + people.Surnames.Max(s => s.Length)
                + people.FirstNames.Max(f => f.Json.Length)
                + catalog.Songs.Max(s => s.Json.Length)
                + config.Transitions.Max(t => Encoding.UTF8.GetByteCount(t.Dest.Page + t.Dest.Auth)),
        };

        var shards = Enumerable.Range(0, ShardCount).Select(i => new Shard(model, i, ShardCount)).ToArray();
        for (var i = 0; i < users; i++)
        {
            shards[i % ShardCount].AddInitialUser(firstUserId + 1 + i);
        }

        var total = AddGrowthUsers(shards, model, users, firstUserId);
        return new Simulation(model, shards, time, options, users, total, config.Source);
    }

    /// <summary>Runs to the end (or until cancelled), writing every event into <paramref name="sink"/>, then flushes it.</summary>
    public async Task<SimulationSummary> RunAsync(IEventSink sink, IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var started = _time.GetTimestamp();
        var counts = new long[TopicByIndex.Length];
        using var windows = ShardWindows.Create(_shards, _model, _windowSeconds, Threads);

        // Users and eventsim's pre-roll (their simulated, unemitted events up to the start) are timed on
        // their own, so the summary can tell setup from emission.
        windows.Next(cancellationToken);
        windows.Release();
        var setup = _time.GetElapsedTime(started);
        var pacing = _continuous ? new Pacing(_time, _model.StartSeconds, _speed) : null;
        for (var window = 1; window < windows.Count; window++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var buffers = windows.Next(cancellationToken);
            if (pacing is null)
            {
                Emit(buffers, long.MaxValue, sink, counts);
            }
            else
            {
                long pending;
                while ((pending = Emit(buffers, pacing.SimulatedNow(), sink, counts)) != long.MaxValue)
                {
                    progress?.Report(Progress(Math.Min(pacing.SimulatedNow(), pending), counts, started));
                    await pacing.WaitUntilAsync(pending, cancellationToken);
                }
            }

            windows.Release();
            progress?.Report(Progress(windows.End(window), counts, started));
        }

        await sink.FlushAsync(cancellationToken);
        return new SimulationSummary(
            Start,
            End,
            Seed,
            InitialUsers,
            FinalUsers,
            _shards.Sum(s => s.ChurnedUsers),
            _shards.Sum(s => s.SessionsStarted),
            TopicByIndex.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => counts[x.i], StringComparer.Ordinal),
            _time.GetElapsedTime(started),
            setup);
    }

    private static int AddGrowthUsers(Shard[] shards, SimulationModel model, int users, long firstUserId)
    {
        if (model.GrowthRate <= 0)
        {
            return users;
        }

        // eventsim's growth loop: arrivals with exponential gaps whose mean shrinks as the population grows.
        var rng = new Xoshiro(model.Seed, -1);
        var n = users;
        var t = model.StartSeconds;
        while (true)
        {
            t += (long)rng.Exponential(YearSeconds / (n * model.GrowthRate));
            if (t >= model.EndSeconds)
            {
                return n;
            }

            if (n >= 50_000_000)
            {
                throw new UsageException(
                    $"Growth rate {model.GrowthRate} would add more than 50,000,000 users before {DateTimeOffset.FromUnixTimeSeconds(model.EndSeconds):O}.",
                    "Lower --growth-rate (it is an annual fraction: 10 means ten times the users in a year) or shorten the run.");
            }

            shards[n % ShardCount].AddGrowthUser(firstUserId + 1 + n, t);
            n++;
        }
    }

    /// <summary>
    /// Writes the window's records in (ts, shard) order up to <paramref name="limit"/>; returns the next pending
    /// ts, or <see cref="long.MaxValue"/> when the window is done. Each shard's next record is kept as one
    /// packed key, ts × 16 + shard, so picking the next record is a branch-free minimum over 16 longs (ties
    /// go to the lower shard by construction) instead of a scan whose comparisons the CPU cannot predict.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Emit(EventBuffer[] buffers, long limit, IEventSink sink, long[] counts)
    {
        Span<long> keys = stackalloc long[ShardCount];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = NextKey(buffers[i], i);
        }

        while (true)
        {
            var key = Min(keys);
            if (key == long.MaxValue)
            {
                return long.MaxValue;
            }

            var ts = key >> ShardBits;
            if (ts > limit)
            {
                return ts;
            }

            // All of this shard's records at ts go first: a step's page view and its listen or auth message.
            var shard = (int)(key & (ShardCount - 1));
            var buffer = buffers[shard];
            do
            {
                var json = buffer.Read(out var userKey, out var topic);
                sink.Write(TopicByIndex[topic], userKey, json);
                counts[topic]++;
            }
            while (buffer.HasUnread && buffer.PeekTs == ts);
            keys[shard] = NextKey(buffer, shard);
        }
    }

    private static long NextKey(EventBuffer buffer, int shard) => buffer.HasUnread ? (buffer.PeekTs << ShardBits) | (long)shard : long.MaxValue;

    private static long Min(ReadOnlySpan<long> keys)
    {
        ref var first = ref MemoryMarshal.GetReference(keys);
        var min = Vector256.Min(
            Vector256.Min(Vector256.LoadUnsafe(ref first), Vector256.LoadUnsafe(ref first, 4)),
            Vector256.Min(Vector256.LoadUnsafe(ref first, 8), Vector256.LoadUnsafe(ref first, 12)));
        var half = Vector128.Min(min.GetLower(), min.GetUpper());
        return Math.Min(half.GetElement(0), half.GetElement(1));
    }

    private SimulationProgress Progress(long simulatedSeconds, long[] counts, long started) =>
        new(DateTimeOffset.FromUnixTimeSeconds(Math.Min(simulatedSeconds, _model.EndSeconds)), counts[Shard.PageView], counts.Sum(), _time.GetElapsedTime(started));

    /// <summary>
    /// Continuous mode's clock: simulated time runs <c>speed</c> times faster than the wall clock from
    /// max(start, now). Events already in the past (a start before now) go out at once, as eventsim's catch-up does.
    /// </summary>
    private sealed class Pacing(TimeProvider time, long startSeconds, double speed)
    {
        private readonly long _anchorWall = time.GetTimestamp();
        private readonly long _anchorSimulated = Math.Max(startSeconds, time.GetUtcNow().ToUnixTimeSeconds());

        public long SimulatedNow() => _anchorSimulated + (long)(time.GetElapsedTime(_anchorWall).TotalSeconds * speed);

        public Task WaitUntilAsync(long simulatedSeconds, CancellationToken cancellationToken)
        {
            var wait = TimeSpan.FromSeconds(Math.Max(0, simulatedSeconds - SimulatedNow()) / speed);
            // Short sleeps keep the progress display alive during long gaps.
            return Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), time, cancellationToken);
        }
    }
}
