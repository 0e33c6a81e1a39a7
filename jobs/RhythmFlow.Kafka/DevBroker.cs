using System.Runtime.InteropServices;
using Confluent.Kafka;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka;

/// <summary>
/// librdkafka's mock cluster (the one <c>test.mock.num.brokers</c> starts) running inside this process: a real
/// Kafka-protocol broker on 127.0.0.1 that any client, in this process or another, can use while it lives.
/// It keeps everything in memory. The four event topics are created up front with the requested partitions.
/// </summary>
public sealed partial class DevBroker : IDisposable
{
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private readonly Lock _gate = new();
    private bool _disposed;

    private DevBroker(IntPtr client, IntPtr cluster, string bootstrapServers, int partitions)
    {
        _client = client;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
        Partitions = partitions;
    }

    /// <summary>The <c>host:port</c> list clients connect to, e.g. <c>127.0.0.1:40123</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Partitions of the topics this broker created.</summary>
    public int Partitions { get; }

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers and the four event topics.</summary>
    public static DevBroker Start(int partitions = 4, int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        KafkaNative.EnsureLoaded();

        // The mock cluster hangs off a client handle for its configuration and logging; this one never connects.
        var conf = Native.rd_kafka_conf_new();
        var error = new byte[512];
        Native.rd_kafka_conf_set(conf, "log_level", "3", error, error.Length);
        var client = Native.rd_kafka_new(0, conf, error, error.Length);
        if (client == IntPtr.Zero)
        {
            Native.rd_kafka_conf_destroy(conf);
            throw new RhythmFlowException($"Could not create the dev broker's client handle: {ErrorText(error)}.");
        }

        var cluster = Native.rd_kafka_mock_cluster_new(client, brokers);
        if (cluster == IntPtr.Zero)
        {
            Native.rd_kafka_destroy(client);
            throw new RhythmFlowException(
                "Could not start librdkafka's mock cluster.",
                "Check that 127.0.0.1 has free ephemeral ports and that librdkafka1 is installed.");
        }

        var broker = new DevBroker(client, cluster, Marshal.PtrToStringUTF8(Native.rd_kafka_mock_cluster_bootstraps(cluster))!, partitions);
        foreach (var topic in Topics.All)
        {
            broker.CreateTopic(topic, partitions);
        }

        return broker;
    }

    /// <summary>Creates a topic (replication factor 1) unless it exists.</summary>
    public void CreateTopic(string topic, int partitions)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var result = (ErrorCode)Native.rd_kafka_mock_topic_create(_cluster, topic, partitions, 1);
            if (result is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
            {
                throw new RhythmFlowException($"The dev broker could not create topic '{topic}': {result}.");
            }
        }
    }

    /// <summary>
    /// Makes the next requests of one API fail with the given errors, in order (fault injection for tests,
    /// e.g. <c>ApiKey 0</c> for Produce).
    /// </summary>
    internal void FailNextRequests(short apiKey, params ErrorCode[] errors)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var codes = Array.ConvertAll(errors, e => (int)e);
            Native.rd_kafka_mock_push_request_errors_array(_cluster, apiKey, (nuint)codes.Length, codes);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Native.rd_kafka_mock_cluster_destroy(_cluster);
            Native.rd_kafka_destroy(_client);
        }
    }

    private static string ErrorText(byte[] error) =>
        System.Text.Encoding.UTF8.GetString(error, 0, Math.Max(0, Array.IndexOf(error, (byte)0)));

    /// <summary>The mock-cluster part of librdkafka's C API, which Confluent.Kafka does not wrap.</summary>
    private static partial class Native
    {
        private const string Library = "librdkafka";

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_conf_new();

        [LibraryImport(Library)]
        public static partial void rd_kafka_conf_destroy(IntPtr conf);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, [Out] byte[] errstr, nint errstrSize);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_new(int type, IntPtr conf, [Out] byte[] errstr, nint errstrSize);

        [LibraryImport(Library)]
        public static partial void rd_kafka_destroy(IntPtr rk);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);
    }
}
