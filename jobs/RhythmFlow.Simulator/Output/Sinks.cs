using System.IO.Compression;
using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Output;

/// <summary>Discards every event; the benchmarks measure simulation plus JSON against it.</summary>
public sealed class NullEventSink : IEventSink
{
    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Writes every event as one JSON line to a stream (stdout for <c>--sink stdout</c>), topics interleaved.</summary>
public sealed class StreamEventSink(Stream stream, bool leaveOpen = false) : IEventSink
{
    private readonly BufferedStream _out = new(stream, 1 << 16);

    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        _out.Write(json);
        _out.WriteByte((byte)'\n');
    }

    public async Task FlushAsync(CancellationToken cancellationToken) => await _out.FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _out.FlushAsync();
        if (!leaveOpen)
        {
            await _out.DisposeAsync();
        }
    }
}

/// <summary>
/// One <c>&lt;topic&gt;.ndjson</c> file per topic in a folder (<c>.ndjson.gz</c> with gzip), the shape of
/// eventsim's file output with one JSON object per line.
/// </summary>
public sealed class NdjsonEventSink : IEventSink
{
    private readonly Dictionary<string, Stream> _files = new(StringComparer.Ordinal);

    private NdjsonEventSink(string directory, bool gzip)
    {
        foreach (var topic in Topics.All)
        {
            var path = Path.Combine(directory, gzip ? $"{topic}.ndjson.gz" : $"{topic}.ndjson");
            Stream file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            _files[topic] = gzip ? new BufferedStream(new GZipStream(file, CompressionLevel.Fastest), 1 << 16) : file;
        }
    }

    /// <summary>Creates the folder if needed and opens (truncating) the four files.</summary>
    public static NdjsonEventSink Open(string directory, bool gzip)
    {
        try
        {
            Directory.CreateDirectory(directory);
            return new NdjsonEventSink(directory, gzip);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot write NDJSON files into '{directory}': {ex.Message}", "Pass a writable folder with --out.", ex);
        }
    }

    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        var file = _files[topic];
        file.Write(json);
        file.WriteByte((byte)'\n');
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var file in _files.Values)
        {
            await file.FlushAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var file in _files.Values)
        {
            await file.DisposeAsync();
        }
    }
}
