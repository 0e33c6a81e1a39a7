using RhythmFlow.Contracts;
using RhythmFlow.Kafka;

namespace RhythmFlow.Landing.Tests;

/// <summary>
/// Valid events produced into a broker, numbered across calls so each has its own (topic, sessionId, itemInSession):
/// the content a landed row is compared against.
/// </summary>
internal sealed class ProducedEvents(string bootstrapServers, int partitions)
{
    private readonly HashSet<(string Topic, long Session, int Item)> events = [];

    public string BootstrapServers => bootstrapServers;

    public int Count => events.Count;

    public IReadOnlySet<(string Topic, long Session, int Item)> Events => events;

    /// <summary>Produces <paramref name="count"/> more events, spread over the four topics and an event-time window of two hours.</summary>
    public async Task ProduceAsync(int count)
    {
        await using var sink = await KafkaEventSink.CreateAsync(new KafkaProducerOptions { BootstrapServers = bootstrapServers, Partitions = partitions });
        var first = events.Count;
        for (var i = first; i < first + count; i++)
        {
            var topic = Topics.All[i % 4];
            var session = 1 + (i / 40);
            var item = i % 40;
            sink.Write(topic, session, SampleEvents.Bytes(SampleEvents.For(topic, SampleEvents.Ts.AddSeconds(i % 7200).ToUnixTimeMilliseconds(), session, item)));
            events.Add((topic, session, item));
        }

        await sink.FlushAsync(default);
    }
}
