using System.Runtime.CompilerServices;
using System.Text;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// A node of the page state machine, with its outgoing transitions as cumulative ranges in config order and
/// the JSON fragments every event in this state shares, encoded once.
/// </summary>
internal sealed class PageState
{
    private double[] _upperBounds = [];
    private PageState[] _targets = [];

    public PageState(StateKey key, bool showUser)
    {
        Key = key;
        ShowUser = showUser;
        IsNextSong = key.Page == "NextSong";
        IsRedirect = key.Status is >= 300 and < 399;
        IsStatusChange = key.Page is "Submit Upgrade" or "Submit Downgrade";
        IsLogin = key.Page == "Login";
        IsLoggedIn = key.Auth == "Logged In";
        PageViewMiddle = Encoding.UTF8.GetBytes(
            $",\"page\":{JsonText.Quote(key.Page)},\"auth\":{JsonText.Quote(key.Auth)},\"method\":{JsonText.Quote(key.Method)},\"status\":{key.Status},\"level\":{JsonText.Quote(key.Level)},\"itemInSession\":");
        AuthLevelMiddle = Encoding.UTF8.GetBytes($",\"auth\":{JsonText.Quote(key.Auth)},\"level\":{JsonText.Quote(key.Level)},\"itemInSession\":");
        LevelMiddle = Encoding.UTF8.GetBytes($",\"level\":{JsonText.Quote(key.Level)},\"itemInSession\":");
    }

    public StateKey Key { get; }

    public bool ShowUser { get; }

    public bool IsNextSong { get; }

    public bool IsRedirect { get; }

    public bool IsStatusChange { get; }

    public bool IsLogin { get; }

    public bool IsLoggedIn { get; }

    /// <summary>Whether a session that ends here ends the user (eventsim's churned-state).</summary>
    public bool IsChurned { get; set; }

    /// <summary>How the next session starts when one ends in this state's (auth, level).</summary>
    public WeightedTable<PageState>? NextSessionStart { get; set; }

    /// <summary><c>,"page":..,"auth":..,"method":..,"status":..,"level":..,"itemInSession":</c> for page_view_events.</summary>
    public byte[] PageViewMiddle { get; }

    /// <summary><c>,"auth":..,"level":..,"itemInSession":</c> for listen and status_change events.</summary>
    public byte[] AuthLevelMiddle { get; }

    /// <summary><c>,"level":..,"itemInSession":</c> for auth_events, which carry no auth or page.</summary>
    public byte[] LevelMiddle { get; }

    public void SetTransitions(IEnumerable<(PageState Target, double P)> transitions)
    {
        var bounds = new List<double>();
        var targets = new List<PageState>();
        var cumulative = 0.0;
        foreach (var (target, p) in transitions)
        {
            cumulative += p;
            bounds.Add(cumulative);
            targets.Add(target);
        }

        _upperBounds = [.. bounds];
        _targets = [.. targets];
    }

    /// <summary>The next state for a uniform draw <paramref name="x"/>, or null when the draw falls past every range: the session ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PageState? Next(double x)
    {
        var bounds = _upperBounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (x < bounds[i])
            {
                return _targets[i];
            }
        }

        return null;
    }
}

/// <summary>The state machine built from a config: one object per distinct state tuple.</summary>
internal sealed class StateMachine
{
    private readonly Dictionary<StateKey, PageState> _states = [];

    public StateMachine(EventsimConfig config)
    {
        Config = config;
        foreach (var t in config.Transitions)
        {
            Get(t.Source);
            Get(t.Dest);
        }

        foreach (var (state, _) in config.NewSession)
        {
            Get(state);
        }

        foreach (var group in config.Transitions.GroupBy(t => t.Source))
        {
            _states[group.Key].SetTransitions(group.Select(t => (_states[t.Dest], t.P)));
        }

        var starts = config.NewSession
            .GroupBy(s => (s.State.Auth, s.State.Level))
            .ToDictionary(g => g.Key, g => new WeightedTable<PageState>(g.Select(s => (_states[s.State], s.Weight))));
        foreach (var state in _states.Values)
        {
            state.IsChurned = state.Key.Auth == config.ChurnedState;
            state.NextSessionStart = starts.GetValueOrDefault((state.Key.Auth, state.Key.Level));
        }

        SessionStarts = starts;
        InitialLevels = new WeightedTable<string>(config.InitialLevels.Select(l => (l.Level, l.Weight)));
        InitialAuths = new WeightedTable<string>(config.InitialAuths.Select(a => (a.Auth, a.Weight)));
    }

    public EventsimConfig Config { get; }

    public IReadOnlyDictionary<(string Auth, string Level), WeightedTable<PageState>> SessionStarts { get; }

    public WeightedTable<string> InitialLevels { get; }

    public WeightedTable<string> InitialAuths { get; }

    public IEnumerable<PageState> States => _states.Values;

    private PageState Get(StateKey key)
    {
        if (!_states.TryGetValue(key, out var state))
        {
            state = new PageState(key, Config.ShowUserDetails.GetValueOrDefault(key.Auth));
            _states[key] = state;
        }

        return state;
    }
}
