using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator.Model;

/// <summary>What every shard shares, read-only: the state machine, populations, catalog, rhythm and the run's bounds.</summary>
internal sealed class SimulationModel
{
    public required StateMachine Machine { get; init; }

    public required Populations People { get; init; }

    public required SongCatalog Catalog { get; init; }

    public required Rhythm Rhythm { get; init; }

    public required long StartSeconds { get; init; }

    public required long EndSeconds { get; init; }

    public required long Seed { get; init; }

    public required double GrowthRate { get; init; }

    /// <summary><c>,"tag":".."</c> when a tag is set, else empty.</summary>
    public required byte[] Tag { get; init; }

    /// <summary>An upper bound on one event's JSON, so writers reserve once per record.</summary>
    public required int MaxEventBytes { get; init; }

    public double Alpha => Machine.Config.Alpha;

    public double Beta => Machine.Config.Beta;

    public long SessionGap => Machine.Config.SessionGapSeconds;
}

/// <summary>
/// An independent slice of the users with its own seeded generator and its own session-id sequence. A
/// shard runs eventsim's main loop (a queue of users by next event time) one window at a time and writes
/// the window's events into an <see cref="EventBuffer"/>. Shards never share mutable state, so the output
/// does not depend on how many threads run them.
/// </summary>
internal sealed class Shard
{
    public const byte Listen = 0;
    public const byte PageView = 1;
    public const byte Auth = 2;
    public const byte StatusChange = 3;
    private const double YearSeconds = 31_557_600;

    private readonly SimulationModel _model;
    private readonly int _index;
    private readonly int _shardCount;
    private readonly Xoshiro _rng;
    private readonly UserQueue _queue = new();
    private readonly List<(long UserId, long Arrival)> _pendingUsers = [];
    private readonly List<long> _initialUserIds = [];
    private long _sessions;
    private bool _started;

    public Shard(SimulationModel model, int index, int shardCount)
    {
        _model = model;
        _index = index;
        _shardCount = shardCount;
        _rng = new Xoshiro(model.Seed, index + 1);
    }

    public long SessionsStarted => _sessions;

    public long ChurnedUsers { get; private set; }

    public void AddInitialUser(long userId) => _initialUserIds.Add(userId);

    public void AddGrowthUser(long userId, long arrival) => _pendingUsers.Add((userId, arrival));

    /// <summary>Simulates every event before <paramref name="windowEnd"/>, writing those after the start into <paramref name="buffer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(long windowEnd, EventBuffer buffer)
    {
        buffer.Clear();
        if (!_started)
        {
            CreateUsers();
            _started = true;
        }

        var start = _model.StartSeconds;
        while (_queue.TryPeek(out var user, out var ts) && ts < windowEnd)
        {
            if (ts > start)
            {
                Write(user, buffer);
            }

            if (Advance(user))
            {
                _queue.UpdateTop();
            }
            else
            {
                _queue.RemoveTop();
            }
        }
    }

    private void CreateUsers()
    {
        var machine = _model.Machine;
        var local = 0;
        foreach (var userId in _initialUserIds)
        {
            var auth = machine.InitialAuths.Pick(_rng);
            var level = machine.InitialLevels.Pick(_rng);
            var user = NewUser(userId, local++);
            var registrationAge = _model.GrowthRate > 0 ? Math.Min((long)_rng.Exponential(_model.GrowthRate * YearSeconds), (long)(5 * YearSeconds)) : 0;
            user.RegistrationMs = (_model.StartSeconds - registrationAge) * 1000;
            // eventsim's pre-roll: the first session lands about one userBeta before the start, so the
            // population is mid-stream when emission begins; events before the start are not emitted.
            var t = _model.StartSeconds - (long)(2 * user.Beta);
            while (t < _model.StartSeconds - (long)user.Beta)
            {
                t = PickSessionStart(user, t);
            }

            StartSession(user, t, machine.SessionStarts[(auth, level)]);
            _queue.Enqueue(user);
        }

        var newcomers = machine.SessionStarts[(machine.Config.NewUserAuth, machine.Config.NewUserLevel)];
        foreach (var (userId, arrival) in _pendingUsers)
        {
            var user = NewUser(userId, local++);
            user.RegistrationMs = arrival * 1000;
            StartSession(user, arrival, newcomers);
            _queue.Enqueue(user);
        }

        _initialUserIds.Clear();
        _pendingUsers.Clear();
    }

    private User NewUser(long userId, int localIndex)
    {
        var people = _model.People;
        return new User
        {
            UserId = userId,
            LocalIndex = localIndex,
            Alpha = _model.Alpha * LogNormalOfMeanOne(),
            Beta = _model.Beta * LogNormalOfMeanOne(),
            FirstName = people.FirstNamePick.Pick(_rng),
            Surname = people.SurnamePick.Pick(_rng),
            Place = people.PlacePick.Pick(_rng),
            Agent = people.AgentPick.Pick(_rng),
        };
    }

    private double LogNormalOfMeanOne() => Math.Exp(_rng.Gaussian()) / Math.Sqrt(Math.E);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StartSession(User user, long ts, WeightedTable<PageState> starts)
    {
        // Ids interleave across shards (shard + k × shards), so they are unique for the whole run.
        user.SessionId = (_sessions++ * _shardCount) + _index + 1;
        user.ItemInSession = 0;
        user.NextTs = ts;
        user.Previous = null;
        user.State = starts.Pick(_rng);
        user.CurrentSong = null;
        if (user.State.IsNextSong)
        {
            var song = _model.Catalog.Pick.Pick(_rng);
            user.CurrentSong = song;
            user.CurrentSongEnd = ts + song.Seconds;
        }
    }

    /// <summary>eventsim's next-session time: an exponential gap plus the session gap, warped by the daily rhythm, thinned on weekends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long PickSessionStart(User user, long last)
    {
        while (true)
        {
            var candidate = _model.Rhythm.Warp(last + (long)_rng.Exponential(user.Beta) + _model.SessionGap);
            if (candidate < last)
            {
                last += _model.SessionGap;
                continue;
            }

            if (_rng.NextDouble() >= _model.Rhythm.WeekendDamping(candidate))
            {
                return candidate;
            }

            last = candidate;
        }
    }

    /// <summary>Moves the user to their next event; false when the user is gone (churned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Advance(User user)
    {
        var state = user.State;
        var next = state.Next(_rng.NextDouble());
        if (next is null)
        {
            if (state.IsChurned)
            {
                ChurnedUsers++;
                return false;
            }

            StartSession(user, PickSessionStart(user, user.NextTs), state.NextSessionStart!);
            return true;
        }

        if (next.IsRedirect)
        {
            // eventsim's quirk: a redirect does not become the previous state.
            user.NextTs += 1;
        }
        else
        {
            if (next.IsNextSong)
            {
                user.NextTs = user.CurrentSong is not null && user.NextTs < user.CurrentSongEnd
                    ? user.CurrentSongEnd
                    : user.NextTs + (long)_rng.Exponential(user.Alpha);
                var song = _model.Catalog.Pick.Pick(_rng);
                user.CurrentSong = song;
                user.CurrentSongEnd = user.NextTs + song.Seconds;
            }
            else
            {
                user.NextTs += (long)_rng.Exponential(user.Alpha);
            }

            user.Previous = state;
        }

        user.State = next;
        user.ItemInSession++;
        return true;
    }

    /// <summary>
    /// Writes one step's messages. The page view is written from fragments; the listen, status_change and auth
    /// messages of the same step share its <c>"ts":..,"sessionId":..</c> and its itemInSession-to-user tail
    /// byte for byte, so they copy those spans instead of formatting them again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Write(User user, EventBuffer buffer)
    {
        var state = user.State;
        var ts = user.NextTs;
        var max = _model.MaxEventBytes;

        buffer.Begin(ts, user.UserId, PageView, max);
        buffer.Append((byte)'{');
        var head = buffer.Position;
        buffer.Append("\"ts\":"u8);
        buffer.AppendMillis(ts);
        buffer.Append(",\"sessionId\":"u8);
        buffer.Append(user.SessionId);
        var headLength = buffer.Position - head;
        buffer.Append(state.PageViewMiddle);
        var tail = buffer.Position;
        buffer.Append(user.ItemInSession);
        WriteDeviceAndUser(user, state, buffer);
        var tailLength = buffer.Position - tail;
        if (state.IsNextSong)
        {
            buffer.Append((byte)',');
            buffer.Append(user.CurrentSong!.Json);
        }

        buffer.Append((byte)'}');
        buffer.End();

        if (state.IsNextSong)
        {
            buffer.Begin(ts, user.UserId, Listen, max);
            buffer.Append((byte)'{');
            buffer.Append(user.CurrentSong!.Json);
            buffer.Append((byte)',');
            WriteShared(buffer, head, headLength, state.AuthLevelMiddle, tail, tailLength);
            buffer.Append((byte)'}');
            buffer.End();
        }

        if (state.IsStatusChange)
        {
            buffer.Begin(ts, user.UserId, StatusChange, max);
            buffer.Append((byte)'{');
            WriteShared(buffer, head, headLength, state.AuthLevelMiddle, tail, tailLength);
            buffer.Append((byte)'}');
            buffer.End();
        }

        if (user.Previous is { IsLogin: true })
        {
            buffer.Begin(ts, user.UserId, Auth, max);
            buffer.Append((byte)'{');
            WriteShared(buffer, head, headLength, state.LevelMiddle, tail, tailLength);
            buffer.Append(state.IsLoggedIn ? ",\"success\":true}"u8 : ",\"success\":false}"u8);
            buffer.End();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteShared(EventBuffer buffer, int head, int headLength, byte[] middle, int tail, int tailLength)
    {
        buffer.AppendWritten(head, headLength);
        buffer.Append(middle);
        buffer.AppendWritten(tail, tailLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteDeviceAndUser(User user, PageState state, EventBuffer buffer)
    {
        var profile = user.Profile ?? BuildProfile(user);
        buffer.Append(state.ShowUser ? profile : profile.AsSpan(0, user.DeviceLength));
    }

    /// <summary>
    /// Encodes the user's device and identity once: every event repeats them, and copying one array beats
    /// gathering a place, an agent, two names and two formatted numbers from tables spread over memory.
    /// </summary>
    private byte[] BuildProfile(User user)
    {
        var people = _model.People;
        var place = people.Places[user.Place];
        var text = new ArrayBufferWriter<byte>(512);
        text.Write(","u8);
        text.Write(place.Before);
        text.Write(people.Agents[user.Agent]);
        text.Write(place.After);
        user.DeviceLength = text.WrittenCount;
        text.Write(",\"userId\":"u8);
        WriteNumber(text, user.UserId);
        text.Write(people.Surnames[user.Surname]);
        text.Write(people.FirstNames[user.FirstName].Json);
        text.Write(",\"registration\":"u8);
        WriteNumber(text, user.RegistrationMs);
        text.Write(_model.Tag);
        user.Profile = text.WrittenSpan.ToArray();
        return user.Profile;
    }

    private static void WriteNumber(ArrayBufferWriter<byte> text, long number)
    {
        Utf8Formatter.TryFormat(number, text.GetSpan(20), out var written);
        text.Advance(written);
    }
}
