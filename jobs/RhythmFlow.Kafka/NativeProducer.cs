using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Serilog;

namespace RhythmFlow.Kafka;

/// <summary>
/// A librdkafka producer driven through its C API. Confluent.Kafka's producer allocates a GCHandle, a handler
/// shim and a report object per message and marshals every delivery report into managed code; at simulator
/// rates that doubled the CPU per event compared with kcat. Here payloads are copied straight from spans
/// (RD_KAFKA_MSG_F_COPY) and delivery reports are counted by an unmanaged-callable callback, so the only
/// per-message managed work is the produce call itself.
/// </summary>
internal sealed unsafe partial class NativeProducer : IDisposable
{
    private const int PartitionUnassigned = -1;
    private const int MessageFlagCopy = 0x2;
    private const int ErrorQueueFull = -184;
    private const int ErrorFatal = -150;

    private const int InlinePollEvery = 1024;
    private static readonly TimeSpan IdlePollInterval = TimeSpan.FromMilliseconds(50);

    private readonly IntPtr _handle;
    private readonly GCHandle _self;
    private readonly ConcurrentDictionary<string, IntPtr> _topics = new(StringComparer.Ordinal);
    private readonly Thread _poller;
    private readonly ManualResetEventSlim _closing = new();
    private readonly ILogger _logger;
    private int _sinceLastPoll;
    private TopicHandle[] _knownTopics = [];
    private Failure? _failure;
    private long _delivered;

    private NativeProducer(IEnumerable<KeyValuePair<string, string>> settings, ILogger logger)
    {
        _logger = logger;
        _self = GCHandle.Alloc(this);
        var error = new byte[512];
        var conf = rd_kafka_conf_new();
        foreach (var (key, value) in settings)
        {
            if (rd_kafka_conf_set(conf, key, value, error, error.Length) != 0)
            {
                rd_kafka_conf_destroy(conf);
                _self.Free();
                throw new Contracts.RhythmFlowException(
                    $"Kafka producer setting '{key}' was rejected: {Text(error)}.",
                    "Check the Kafka section of the configuration (Kafka:Librdkafka holds raw librdkafka settings).");
            }
        }

        rd_kafka_conf_set_opaque(conf, GCHandle.ToIntPtr(_self));
        rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery);
        rd_kafka_conf_set_error_cb(conf, &OnError);
        rd_kafka_conf_set_log_cb(conf, &OnLog);
        _handle = rd_kafka_new(0, conf, error, error.Length);
        if (_handle == IntPtr.Zero)
        {
            rd_kafka_conf_destroy(conf);
            _self.Free();
            throw new Contracts.RhythmFlowException($"Could not create the Kafka producer: {Text(error)}.");
        }

        // Delivery reports are served by the writing thread as it writes (see TryProduce) and by this thread
        // while nobody writes, so a failure surfaces even between writes.
        _poller = new Thread(IdlePoll) { IsBackground = true, Name = "kafka-producer-poll" };
        _poller.Start();
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public Failure? FirstFailure => Volatile.Read(ref _failure);

    public static NativeProducer Create(IEnumerable<KeyValuePair<string, string>> settings, ILogger logger)
    {
        KafkaNative.EnsureLoaded();
        return new NativeProducer(settings, logger);
    }

    /// <summary>
    /// Queues one message; false when the client's queue is full (then <see cref="Poll"/> and retry). Every
    /// 1,024 messages it serves the delivery reports waiting, as kcat does: the reports free the messages'
    /// memory, and freeing it on the thread that allocated it keeps malloc on that thread's own cache and arena
    /// (a separate poll thread freeing while this one allocates contended for the arena lock).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryProduce(string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out string? rejection)
    {
        var rkt = TopicFor(topic);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            if (rd_kafka_produce(rkt, PartitionUnassigned, MessageFlagCopy, v, (nuint)value.Length, k, (nuint)key.Length, IntPtr.Zero) == 0)
            {
                if (++_sinceLastPoll == InlinePollEvery)
                {
                    _sinceLastPoll = 0;
                    rd_kafka_poll(_handle, 0);
                }

                rejection = null;
                return true;
            }
        }

        var error = rd_kafka_last_error();
        rejection = error == ErrorQueueFull ? null : $"{Name(error)} ({Describe(error)})";
        return false;
    }

    /// <summary>
    /// Callers pass the same few topic strings for every message (the simulator's four constants, the replay's
    /// one), so comparing references to those beats hashing the name per message.
    /// </summary>
    private IntPtr TopicFor(string topic)
    {
        var known = Volatile.Read(ref _knownTopics);
        foreach (var entry in known)
        {
            if (ReferenceEquals(entry.Name, topic))
            {
                return entry.Handle;
            }
        }

        var handle = _topics.GetOrAdd(topic, static (name, rk) => rd_kafka_topic_new(rk, name, IntPtr.Zero), _handle);
        if (known.Length < 16)
        {
            // A racing writer may drop an entry; that string then takes this path again, nothing more.
            Volatile.Write(ref _knownTopics, [.. known, new TopicHandle(topic, handle)]);
        }

        return handle;
    }

    /// <summary>
    /// The topics the cluster has, from an all-topics metadata request over this producer's own connection
    /// (which also has the connection and producer id ready before the first event). Never auto-creates a topic.
    /// </summary>
    public IReadOnlySet<string> ExistingTopics(TimeSpan timeout, string bootstrapServers)
    {
        Metadata* metadata;
        var error = rd_kafka_metadata(_handle, 1, IntPtr.Zero, &metadata, (int)timeout.TotalMilliseconds);
        if (error != 0)
        {
            throw new Contracts.RhythmFlowException(
                $"Kafka at {bootstrapServers} did not answer: {Name(error)} ({Describe(error)}).",
                "Check Kafka:BootstrapServers and that the broker runs (for a local one: 'rhythmflow dev-broker').");
        }

        try
        {
            var topics = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < metadata->TopicCount; i++)
            {
                if (metadata->Topics[i].Error == 0 && metadata->Topics[i].PartitionCount > 0)
                {
                    topics.Add(Marshal.PtrToStringUTF8(metadata->Topics[i].Name)!);
                }
            }

            return topics;
        }
        finally
        {
            rd_kafka_metadata_destroy(metadata);
        }
    }

    /// <summary>Serves delivery reports, waiting up to <paramref name="timeout"/> for one (back-pressure while the queue is full).</summary>
    public void Poll(TimeSpan timeout) => rd_kafka_poll(_handle, (int)timeout.TotalMilliseconds);

    /// <summary>Waits up to <paramref name="timeout"/> for outstanding messages; returns how many remain.</summary>
    public int Flush(TimeSpan timeout)
    {
        _ = rd_kafka_flush(_handle, (int)timeout.TotalMilliseconds);
        return rd_kafka_outq_len(_handle);
    }

    public void Dispose()
    {
        // The poll thread never blocks inside librdkafka, so it stops at once (a blocking rd_kafka_poll used to
        // sit out its 100 ms timeout at the end of every run: rd_kafka_yield only works from inside a callback).
        _closing.Set();
        _poller.Join();
        _closing.Dispose();
        foreach (var rkt in _topics.Values)
        {
            rd_kafka_topic_destroy(rkt);
        }

        rd_kafka_destroy(_handle);
        _self.Free();
    }

    private void IdlePoll()
    {
        while (!_closing.Wait(IdlePollInterval))
        {
            rd_kafka_poll(_handle, 0);
        }
    }

    private static NativeProducer From(IntPtr opaque) => (NativeProducer)GCHandle.FromIntPtr(opaque).Target!;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OnDelivery(IntPtr rk, DeliveredMessage* message, IntPtr opaque)
    {
        var producer = From(opaque);
        if (message->Error == 0)
        {
            Interlocked.Increment(ref producer._delivered);
            return;
        }

        var topic = Marshal.PtrToStringUTF8(rd_kafka_topic_name(message->Topic));
        Interlocked.CompareExchange(
            ref producer._failure,
            new Failure(topic, message->Partition, Name(message->Error), Describe(message->Error)),
            null);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(IntPtr rk, int error, byte* reason, IntPtr opaque)
    {
        var producer = From(opaque);
        var text = Marshal.PtrToStringUTF8((IntPtr)reason) ?? string.Empty;
        if (error != ErrorFatal)
        {
            // librdkafka retries transient errors (a broker restarting, a timeout) by itself.
            producer._logger.Warning("Kafka producer error {KafkaCode}: {Reason}", Name(error), text);
            return;
        }

        // A fatal idempotence error means ordering and no-duplicates can no longer be guaranteed.
        var buffer = new byte[512];
        var cause = rd_kafka_fatal_error(rk, buffer, buffer.Length);
        producer._logger.Error("Kafka producer fatal error {KafkaCode}: {Reason}", Name(cause), Text(buffer));
        Interlocked.CompareExchange(ref producer._failure, new Failure(null, null, Name(cause), Text(buffer)), null);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(IntPtr rk, int level, byte* facility, byte* message)
    {
        var producer = From(rd_kafka_opaque(rk));
        KafkaLogging.Log(
            producer._logger,
            "producer",
            new LogMessage(string.Empty, (SyslogLevel)level, Marshal.PtrToStringUTF8((IntPtr)facility), Marshal.PtrToStringUTF8((IntPtr)message)));
    }

    private static string Name(int error) => Marshal.PtrToStringUTF8(rd_kafka_err2name(error)) ?? error.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(int error) => Marshal.PtrToStringUTF8(rd_kafka_err2str(error)) ?? string.Empty;

    private static string Text(byte[] buffer) =>
        System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Max(0, Array.IndexOf(buffer, (byte)0)));

    private sealed record TopicHandle(string Name, IntPtr Handle);

    /// <summary>The first failed delivery (Topic null for a producer-wide fatal error).</summary>
    internal sealed record Failure(string? Topic, int? Partition, string Code, string Reason);

    /// <summary>The leading fields of librdkafka's rd_kafka_message_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct DeliveredMessage
    {
        public int Error;
        public IntPtr Topic;
        public int Partition;
    }

    /// <summary>The leading fields of rd_kafka_metadata_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Metadata
    {
        public int BrokerCount;
        public IntPtr Brokers;
        public int TopicCount;
        public TopicMetadata* Topics;
    }

    /// <summary>rd_kafka_metadata_topic_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TopicMetadata
    {
        public IntPtr Name;
        public int PartitionCount;
        public IntPtr Partitions;
        public int Error;
    }

    private const string Library = "librdkafka";

    [LibraryImport(Library)]
    private static partial int rd_kafka_metadata(IntPtr rk, int allTopics, IntPtr onlyTopic, Metadata** metadata, int timeoutMs);

    [LibraryImport(Library)]
    private static partial void rd_kafka_metadata_destroy(Metadata* metadata);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library)]
    private static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, [Out] byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial void rd_kafka_conf_set_opaque(IntPtr conf, IntPtr opaque);

    [LibraryImport(Library)]
    private static partial void rd_kafka_conf_set_dr_msg_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, DeliveredMessage*, IntPtr, void> callback);

    [LibraryImport(Library)]
    private static partial void rd_kafka_conf_set_error_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, int, byte*, IntPtr, void> callback);

    [LibraryImport(Library)]
    private static partial void rd_kafka_conf_set_log_cb(IntPtr conf, delegate* unmanaged[Cdecl]<IntPtr, int, byte*, byte*, void> callback);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_new(int type, IntPtr conf, [Out] byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_opaque(IntPtr rk);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr rd_kafka_topic_new(IntPtr rk, string topic, IntPtr conf);

    [LibraryImport(Library)]
    private static partial void rd_kafka_topic_destroy(IntPtr rkt);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_topic_name(IntPtr rkt);

    [LibraryImport(Library)]
    private static partial int rd_kafka_produce(IntPtr rkt, int partition, int flags, byte* payload, nuint length, byte* key, nuint keyLength, IntPtr opaque);

    [LibraryImport(Library)]
    private static partial int rd_kafka_last_error();

    [LibraryImport(Library)]
    private static partial int rd_kafka_poll(IntPtr rk, int timeoutMs);

    [LibraryImport(Library)]
    private static partial int rd_kafka_flush(IntPtr rk, int timeoutMs);


    [LibraryImport(Library)]
    private static partial int rd_kafka_outq_len(IntPtr rk);

    [LibraryImport(Library)]
    private static partial int rd_kafka_fatal_error(IntPtr rk, [Out] byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_err2name(int error);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_err2str(int error);
}
