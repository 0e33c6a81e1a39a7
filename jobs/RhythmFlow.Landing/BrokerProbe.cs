using Confluent.Kafka;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Landing;

/// <summary>
/// Waits for Kafka and the topics at start, retrying with backoff, and fails clearly after the timeout; returns every
/// partition of the topics.
/// </summary>
internal static class BrokerProbe
{
    public static async Task<IReadOnlyList<TopicPartition>> WaitAsync(
        IConsumer<byte[], byte[]> consumer,
        string bootstrapServers,
        IReadOnlyList<string> topics,
        TimeSpan timeout,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var started = time.GetUtcNow();
        var backoff = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            var remaining = timeout - (time.GetUtcNow() - started);
            string problem;
            try
            {
                var wait = remaining < TimeSpan.FromSeconds(5) ? remaining : TimeSpan.FromSeconds(5);
                var metadata = admin.GetMetadata(wait > TimeSpan.FromMilliseconds(100) ? wait : TimeSpan.FromMilliseconds(100));
                var missing = topics.Where(t => !metadata.Topics.Any(m => m.Topic == t && m.Error.Code == ErrorCode.NoError && m.Partitions.Count > 0)).ToList();
                if (missing.Count == 0)
                {
                    if (attempt > 1)
                    {
                        logger.Information("Kafka at {BootstrapServers} is reachable after {Attempts} attempts", bootstrapServers, attempt);
                    }

                    return [.. metadata.Topics.Where(m => topics.Contains(m.Topic)).SelectMany(m => m.Partitions.Select(p => new TopicPartition(m.Topic, p.PartitionId)))];
                }

                problem = $"topic(s) {string.Join(", ", missing)} do not exist";
            }
            catch (KafkaException ex)
            {
                problem = $"{ex.Error.Code} ({ex.Error.Reason})";
            }

            if (time.GetUtcNow() - started + backoff > timeout)
            {
                throw new RhythmFlowException(
                    $"Kafka at {bootstrapServers} was not ready within --broker-timeout {timeout}: {problem}.",
                    "Check Kafka:BootstrapServers and that the broker runs (locally: 'rhythmflow dev-broker'), or raise --broker-timeout.");
            }

            logger.Warning("Kafka at {BootstrapServers} is not ready ({Problem}); retry {Attempt} in {Backoff}", bootstrapServers, problem, attempt, backoff);
            await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}
