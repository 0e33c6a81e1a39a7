using BenchmarkDotNet.Attributes;
using RhythmFlow.Parquet;
using RhythmFlow.Parquet.Encodings;

namespace RhythmFlow.Benchmarks.Parquet;

/// <summary>
/// The page codec alone: an uncompressed listen_events file cut into 1 MiB pages (the writer's page size),
/// compressed and decompressed by the managed IronSnappy the writer used before (baseline) and by the system
/// libsnappy it uses now, which writes into a reused buffer instead of a new array per page.
/// </summary>
[MemoryDiagnoser]
public class SnappyCodecBenchmarks
{
    private const int PageSize = 1 << 20;

    private byte[][] pages = [];
    private byte[][] compressedPages = [];
    private readonly MemoryStream gzipScratch = new();
    private byte[] scratch = [];
    private readonly byte[] decoded = new byte[PageSize];

    [GlobalSetup]
    public void Setup()
    {
        using var file = new MemoryStream();
        new ListenEventsData(100_000).WriteTo(file, ParquetCompression.Uncompressed);
        pages = [.. file.ToArray().Chunk(PageSize)];
        compressedPages = [.. pages.Select(p => IronSnappy.Snappy.Encode(p))];
    }

    [Benchmark(Baseline = true)]
    public long CompressIronSnappy()
    {
        long total = 0;
        foreach (var page in pages)
        {
            total += IronSnappy.Snappy.Encode(page).Length;
        }

        return total;
    }

    [Benchmark]
    public long CompressNative()
    {
        long total = 0;
        foreach (var page in pages)
        {
            total += PageCompression.Compress(ParquetCompression.Snappy, page, ref scratch, gzipScratch).Length;
        }

        return total;
    }

    [Benchmark]
    public long DecompressIronSnappy()
    {
        long total = 0;
        foreach (var page in compressedPages)
        {
            total += IronSnappy.Snappy.Decode(page).Length;
        }

        return total;
    }

    [Benchmark]
    public long DecompressNative()
    {
        long total = 0;
        for (var i = 0; i < compressedPages.Length; i++)
        {
            var output = decoded.AsSpan(0, pages[i].Length);
            PageCompression.Decompress(ParquetCompression.Snappy, compressedPages[i], output);
            total += output.Length;
        }

        return total;
    }
}
