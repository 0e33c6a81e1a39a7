using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace RhythmFlow.Kafka;

/// <summary>
/// Keeps a consumer fetching while its application drains the queue. librdkafka 2.0.2 stops fetching once its
/// consumer queue holds <c>queued.min.messages</c> (or <c>queued.max.messages.kbytes</c>) and looks again only when
/// its broker thread next wakes: on network I/O, on an operation, or after a second. A job that drains a full queue
/// in less than a second then starves for the rest of it (librdkafka 2.2 added <c>fetch.queue.backoff.ms</c> for
/// this). This watches the queue from a thread of its own and, once it has filled and drained to half, sends one of
/// the watched partitions' leaders a watermark query: an operation on its broker thread, which then looks again.
/// </summary>
public sealed partial class FetchWakeup : IDisposable
{
    private const string Library = "librdkafka";
    private const int DefaultQueuedMinMessages = 100_000;
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(5);

    private readonly SafeHandle handle;
    private readonly IntPtr rk;
    private readonly IntPtr queue;
    private readonly long filled;
    private readonly long drained;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private (string Topic, int Partition)[] partitions = [];
    private int nextPartition;
    private int wakeups;
    private bool disposed;

    public FetchWakeup(IConsumer<byte[], byte[]> consumer, KafkaConsumerOptions options)
    {
        handle = LibrdkafkaHandle.AddRef(consumer);
        rk = handle.DangerousGetHandle();
        queue = rd_kafka_queue_get_consumer(rk);
        var threshold = options.Librdkafka.TryGetValue("queued.min.messages", out var configured)
            ? int.Parse(configured, CultureInfo.InvariantCulture)
            : DefaultQueuedMinMessages;

        // Armed once the queue comes near the threshold (the byte limit may stop fetching a little before it), fired
        // at half: at hundreds of thousands of messages a second, half a queue outlasts the fetch it sets off.
        filled = threshold * 6L / 10;
        drained = threshold / 2;
        thread = new Thread(Run) { IsBackground = true, Name = "kafka fetch wakeup" };
        thread.Start();
    }

    /// <summary>How many times the fetcher was woken (diagnostics and tests).</summary>
    public int Wakeups => Volatile.Read(ref wakeups);

    /// <summary>The partitions whose leaders to wake: the consumer's assignment, set again after each rebalance.</summary>
    public void Watch(IEnumerable<(string Topic, int Partition)> assigned) => Volatile.Write(ref partitions, [.. assigned]);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stop.Cancel();
        thread.Join();
        rd_kafka_queue_destroy(queue);
        handle.DangerousRelease();
        stop.Dispose();
    }

    private void Run()
    {
        var armed = false;
        while (!stop.Token.WaitHandle.WaitOne(CheckEvery))
        {
            var length = (long)rd_kafka_queue_length(queue);
            if (length >= filled)
            {
                armed = true;
            }
            else if (armed && length < drained)
            {
                armed = false;
                Wake();
            }
        }
    }

    private void Wake()
    {
        var watched = Volatile.Read(ref partitions);
        if (watched.Length == 0)
        {
            return;
        }

        // Round robin, so that over time every leader's broker thread is woken. The answer does not matter: a failed
        // query has woken the thread just the same, and the next drain tries again.
        var (topic, partition) = watched[nextPartition++ % watched.Length];
        _ = rd_kafka_query_watermark_offsets(rk, topic, partition, out _, out _, 1_000);
        Interlocked.Increment(ref wakeups);
    }

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_queue_get_consumer(IntPtr rk);

    [LibraryImport(Library)]
    private static partial nuint rd_kafka_queue_length(IntPtr queue);

    [LibraryImport(Library)]
    private static partial void rd_kafka_queue_destroy(IntPtr queue);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_query_watermark_offsets(IntPtr rk, string topic, int partition, out long low, out long high, int timeoutMs);
}
