namespace RhythmFlow.Simulator;

/// <summary>Where a running simulation is: the simulated clock, events (page views) and messages so far.</summary>
public sealed record SimulationProgress(DateTimeOffset SimulatedClock, long Events, long Messages, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// What a finished simulation produced. <see cref="Events"/> counts emitted simulated events (one page view
/// each, eventsim's "Events"); <see cref="MessagesPerTopic"/> counts what each topic received.
/// <paramref name="Elapsed"/> is the whole run; <paramref name="Setup"/> is its first part, creating the users and
/// simulating eventsim's pre-roll before the start, whose events are not emitted.
/// </summary>
public sealed record SimulationSummary(
    DateTimeOffset Start,
    DateTimeOffset End,
    long Seed,
    int InitialUsers,
    int FinalUsers,
    long ChurnedUsers,
    long Sessions,
    IReadOnlyDictionary<string, long> MessagesPerTopic,
    TimeSpan Elapsed,
    TimeSpan Setup)
{
    public long Events => MessagesPerTopic.GetValueOrDefault(Contracts.Topics.PageView);

    public long Messages => MessagesPerTopic.Values.Sum();

    /// <summary>Events per second of the whole run, setup included.</summary>
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;

    /// <summary>Events per second after the setup: the steady simulate-and-emit rate.</summary>
    public double EmittingEventsPerSecond => Elapsed > Setup ? Events / (Elapsed - Setup).TotalSeconds : 0;
}
