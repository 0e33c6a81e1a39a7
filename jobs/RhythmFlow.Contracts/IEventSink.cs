namespace RhythmFlow.Contracts;

/// <summary>
/// Where simulated events go: Kafka, NDJSON files or stdout. Events arrive in the order the simulator
/// emits them; <paramref name="userKey"/> is the simulator's user id (also for guests, whose events carry
/// no userId), so a keyed sink keeps each user's events in order.
/// </summary>
public interface IEventSink : IAsyncDisposable
{
    /// <summary>Writes one event: its topic, the user key and the compact JSON object (without a trailing newline).</summary>
    void Write(string topic, long userKey, ReadOnlySpan<byte> json);

    /// <summary>Waits until everything written so far is delivered, or throws naming what failed.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
