using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Simulator.Model;

namespace RhythmFlow.Simulator.Tests;

/// <summary>
/// Statistical realism over <see cref="SimulationRun.Week"/> (2,000 users, a week from Monday, growth 5).
/// Tolerances are several standard errors wide, so they hold for any seed while still catching a broken model.
/// </summary>
public class RealismTests
{
    private static readonly Lazy<List<JsonElement>> PageViews = new(() =>
        [.. SimulationRun.Week.Sink.Of(Topics.PageView).Select(m => JsonDocument.Parse(m.Json).RootElement)]);

    private static DateTimeOffset Time(JsonElement e) => DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("ts").GetInt64());

    [Fact]
    public void Run_Users_GenderSplitNearTheNameData()
    {
        // The name table's weight: 52.2% M (SSA 1990 names given to at least 10 babies).
        var genders = PageViews.Value.Where(e => e.TryGetProperty("gender", out _))
            .GroupBy(e => e.GetProperty("userId").GetInt64()).Select(g => g.First().GetProperty("gender").GetString()).ToList();
        var male = genders.Count(g => g == "M") / (double)genders.Count;
        genders.Count.ShouldBeGreaterThan(1000);
        male.ShouldBeInRange(0.522 - 0.04, 0.522 + 0.04);
    }

    [Fact]
    public void Run_InitialUsers_FreePaidSplitFollowsTheConfig()
    {
        // levels free 10 / paid 2: 5/6 of initial users start free (upgrades during a week move only a few).
        var levels = PageViews.Value.Where(e => e.GetProperty("itemInSession").GetInt32() == 0 && e.TryGetProperty("userId", out var id) && id.GetInt64() <= 2001)
            .GroupBy(e => e.GetProperty("userId").GetInt64()).Select(g => g.First().GetProperty("level").GetString()).ToList();
        var free = levels.Count(l => l == "free") / (double)levels.Count;
        free.ShouldBeInRange((5.0 / 6) - 0.05, (5.0 / 6) + 0.05);
    }

    [Fact]
    public void Run_Activity_PeaksInTheAfternoonAndBottomsOutAtNight()
    {
        var byHour = new int[24];
        foreach (var e in PageViews.Value)
        {
            byHour[Time(e).Hour]++;
        }

        var peak = Array.IndexOf(byHour, byHour.Max());
        var trough = Array.IndexOf(byHour, byHour.Min());
        peak.ShouldBeInRange(11, 20);
        trough.ShouldBeInRange(0, 7);
        ((double)byHour.Max() / byHour.Min()).ShouldBeGreaterThan(1.5);
    }

    [Fact]
    public void Run_Weekend_SessionStartsAreDamped()
    {
        var starts = PageViews.Value.Where(e => e.GetProperty("itemInSession").GetInt32() == 0).Select(Time).ToList();
        var weekendPerDay = starts.Count(t => t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) / 2.0;
        var weekdayPerDay = starts.Count(t => t.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) / 5.0;
        (weekendPerDay / weekdayPerDay).ShouldBeLessThan(0.8);
    }

    [Fact]
    public void Run_Pages_NextSongDominates()
    {
        var pages = PageViews.Value.GroupBy(e => e.GetProperty("page").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        pages.MaxBy(p => p.Value).Key.ShouldBe("NextSong");
        ((double)pages["NextSong"] / PageViews.Value.Count).ShouldBeGreaterThan(0.6);
    }

    [Fact]
    public void Run_SessionLengths_MatchTheTransitionTable()
    {
        // Given the expected events per session from each start state, solved from the transition table
        var config = EventsimConfig.Default();
        var expected = ExpectedSessionLengths(config);

        // When sessions that start before the last day are grouped by how they start
        var cutoff = SimulationRun.WeekStart.AddDays(6);
        var sessions = PageViews.Value.GroupBy(e => e.GetProperty("sessionId").GetInt64())
            .Select(g => g.OrderBy(e => e.GetProperty("itemInSession").GetInt32()).ToList())
            .Where(s => s[0].GetProperty("itemInSession").GetInt32() == 0 && Time(s[0]) < cutoff)
            .ToList();

        // Then the mean length per start pair is within 15% of the table's expectation
        foreach (var pair in new[] { ("Logged In", "free"), ("Logged In", "paid") })
        {
            var matching = sessions.Where(s => s[0].GetProperty("auth").GetString() == pair.Item1 && s[0].GetProperty("level").GetString() == pair.Item2).ToList();
            matching.Count.ShouldBeGreaterThan(200, $"{pair}");
            var mean = matching.Average(s => s.Count);
            var want = config.NewSession.Where(n => (n.State.Auth, n.State.Level) == pair)
                .Sum(n => n.Weight * expected[n.State]) / config.NewSession.Where(n => (n.State.Auth, n.State.Level) == pair).Sum(n => n.Weight);
            mean.ShouldBeInRange(want * 0.85, want * 1.15, $"{pair}");
        }
    }

    [Fact]
    public void Run_Growth_AddsGuestUsers()
    {
        var summary = SimulationRun.Week.Summary;
        summary.FinalUsers.ShouldBeGreaterThan(summary.InitialUsers);
        var growthKeys = SimulationRun.Week.Sink.Of(Topics.PageView).Where(m => m.Key > summary.InitialUsers + 1).ToList();
        growthKeys.ShouldNotBeEmpty();
        var firstEvents = growthKeys.GroupBy(m => m.Key).Select(g => JsonDocument.Parse(g.First().Json).RootElement).ToList();
        firstEvents.Select(e => e.GetProperty("auth").GetString()).ShouldAllBe(a => a == "Guest");
        firstEvents.Count(e => e.TryGetProperty("registration", out var r)).ShouldBe(0);
    }

    [Fact]
    public void Run_Cancellation_EndsTheUser()
    {
        // Given a run long enough for some users to cancel
        var (summary, sink) = SimulationRun.Run(new SimulatorOptions
        {
            Users = 1500, Start = SimulationRun.WeekStart, End = SimulationRun.WeekStart.AddDays(21), Seed = 9, Threads = 2,
        });
        var events = sink.Of(Topics.PageView);
        var cancelled = events.Select((m, i) => (m, i)).Where(x => x.m.Json.Contains("\"page\":\"Cancellation Confirmation\"", StringComparison.Ordinal)).ToList();

        // Then each cancelling user emits nothing after the confirmation, which carries their details
        summary.ChurnedUsers.ShouldBeGreaterThan(0);
        cancelled.ShouldNotBeEmpty();
        foreach (var (m, i) in cancelled)
        {
            m.Json.ShouldContain("\"auth\":\"Cancelled\"");
            m.Json.ShouldContain("\"userId\":");
            events.Skip(i + 1).ShouldNotContain(later => later.Key == m.Key);
        }
    }

    private static Dictionary<StateKey, double> ExpectedSessionLengths(EventsimConfig config)
    {
        var keys = config.Transitions.SelectMany(t => new[] { t.Source, t.Dest }).Concat(config.NewSession.Select(n => n.State)).Distinct().ToList();
        var exits = config.Transitions.ToLookup(t => t.Source);
        var length = keys.ToDictionary(k => k, _ => 1.0);
        for (var i = 0; i < 5000; i++)
        {
            foreach (var k in keys)
            {
                length[k] = 1 + exits[k].Sum(t => t.P * length[t.Dest]);
            }
        }

        return length;
    }
}
