using BenchmarkDotNet.Attributes;
using RhythmFlow.Contracts;
using RhythmFlow.Parquet;

namespace RhythmFlow.Benchmarks.Parquet;

/// <summary>The lake writer's hot path: 100,000 listen_events rows through the typed column API, per codec.</summary>
[MemoryDiagnoser]
public class ParquetWriteBenchmarks
{
    private ListenEventsData data = null!;
    private MemoryStream output = null!;

    [GlobalSetup]
    public void Setup()
    {
        data = new ListenEventsData(100_000);
        output = new MemoryStream(64 << 20);
    }

    [Benchmark(Baseline = true)]
    public long Uncompressed() => Write(ParquetCompression.Uncompressed);

    [Benchmark]
    public long Snappy() => Write(ParquetCompression.Snappy);

    [Benchmark]
    public long Gzip() => Write(ParquetCompression.Gzip);

    /// <summary>SNAPPY with the Kafka offset, unique per row, excluded from dictionary attempts as landing can ask.</summary>
    [Benchmark]
    public long SnappyOffsetPlain() => Write(ParquetCompression.Snappy, LakeSchema.KafkaOffset);

    private long Write(ParquetCompression codec, params string[] plainColumns)
    {
        output.SetLength(0);
        data.WriteTo(output, codec, plainColumns);
        return output.Length;
    }
}

/// <summary>
/// The part of a write that landing's publishing threads do: encoding, compressing and writing a row group of
/// 100,000 listen_events rows already appended (dictionaries, pages, CRCs, statistics, footer), per codec.
/// One invocation per iteration, since each needs a freshly filled writer.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class ParquetWriteRowGroupBenchmarks
{
    private ListenEventsData data = null!;
    private MemoryStream output = null!;
    private ParquetWriter writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        data = new ListenEventsData(100_000);
        output = new MemoryStream(64 << 20);
    }

    [IterationSetup(Target = nameof(Uncompressed))]
    public void AppendUncompressed() => Append(ParquetCompression.Uncompressed);

    [IterationSetup(Target = nameof(Snappy))]
    public void AppendSnappy() => Append(ParquetCompression.Snappy);

    [Benchmark(Baseline = true)]
    public long Uncompressed() => WriteRowGroup();

    [Benchmark]
    public long Snappy() => WriteRowGroup();

    private void Append(ParquetCompression codec)
    {
        output.SetLength(0);
        writer = data.Append(output, new ParquetWriterOptions { Compression = codec });

        // The appends' garbage is collected here rather than inside the measured write.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private long WriteRowGroup()
    {
        writer.Dispose();
        return output.Length;
    }
}

/// <summary>Reading a whole lake file back: all columns, all row groups.</summary>
[MemoryDiagnoser]
public class ParquetReadBenchmarks
{
    private byte[] uncompressed = [];
    private byte[] snappy = [];

    [GlobalSetup]
    public void Setup()
    {
        var data = new ListenEventsData(100_000);
        uncompressed = Bytes(data, ParquetCompression.Uncompressed);
        snappy = Bytes(data, ParquetCompression.Snappy);
    }

    [Benchmark(Baseline = true)]
    public int Uncompressed() => Read(uncompressed);

    [Benchmark]
    public int Snappy() => Read(snappy);

    private static int Read(byte[] file)
    {
        using var reader = new ParquetReader(new MemoryStream(file), "bench.parquet");
        var rows = 0;
        foreach (var group in reader.ReadRowGroups())
        {
            rows += group.RowCount;
        }

        return rows;
    }

    private static byte[] Bytes(ListenEventsData data, ParquetCompression codec)
    {
        using var stream = new MemoryStream();
        data.WriteTo(stream, codec);
        return stream.ToArray();
    }
}
