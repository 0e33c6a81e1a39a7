namespace RhythmFlow.Simulator;

/// <summary>Where a running simulation is: the simulated clock, events (page views) and messages so far.</summary>
public sealed record SimulationProgress(DateTimeOffset SimulatedClock, long Events, long Messages, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// What a finished simulation produced. <see cref="Events"/> counts simulated events (one page view each,
/// eventsim's "Events"); <see cref="MessagesPerTopic"/> counts what each topic received.
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
    TimeSpan Elapsed)
{
    public long Events => MessagesPerTopic.GetValueOrDefault(Contracts.Topics.PageView);

    public long Messages => MessagesPerTopic.Values.Sum();

    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}
