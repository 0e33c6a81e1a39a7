using System.IO.Compression;
using System.Text;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka.Tests;

public sealed class NdjsonReplayTests
{
    [Fact]
    public async Task WriteAsync_EventsWithAndWithoutUserId_KeysByUserIdElseSessionIdAndKeepsLines()
    {
        // Given: a logged-in event, a guest event (no userId), a blank line and a CRLF ending
        const string input = "{\"ts\":1000,\"sessionId\":5,\"userId\":42}\n{\"ts\":2000,\"sessionId\":77}\r\n\n{\"sessionId\":5,\"userId\": 43}";
        var sink = new RecordingSink();

        // When
        var written = await NdjsonReplay.WriteAsync(sink, Topics.PageView, new MemoryStream(Encoding.UTF8.GetBytes(input)), "events.ndjson", CancellationToken.None);

        // Then
        written.ShouldBe(3);
        sink.Events.ShouldBe(
        [
            (Topics.PageView, 42L, "{\"ts\":1000,\"sessionId\":5,\"userId\":42}"),
            (Topics.PageView, 77L, "{\"ts\":2000,\"sessionId\":77}"),
            (Topics.PageView, 43L, "{\"sessionId\":5,\"userId\": 43}"),
        ]);
    }

    [Fact]
    public async Task WriteAsync_LinesSpanningReadBuffers_AreWrittenWhole()
    {
        var lines = Enumerable.Range(0, 20_000).Select(i => $"{{\"userId\":{i},\"pad\":\"{new string('x', i % 300)}\"}}").ToList();
        var sink = new RecordingSink();
        var path = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.ndjson.gz");
        try
        {
            await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            {
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
            }

            await using var input = NdjsonReplay.Open(path);
            await NdjsonReplay.WriteAsync(sink, Topics.Listen, input, path, CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }

        sink.Events.Select(e => e.Json).ShouldBe(lines);
        sink.Events.Select(e => e.Key).ShouldBe(Enumerable.Range(0, 20_000).Select(i => (long)i));
    }

    [Fact]
    public async Task WriteAsync_LineWithoutKey_FailsNamingFileAndLine()
    {
        var input = new MemoryStream("{\"userId\":1}\n{\"ts\":3}\n"u8.ToArray());

        var failure = await Should.ThrowAsync<UsageException>(
            () => NdjsonReplay.WriteAsync(new RecordingSink(), Topics.Auth, input, "auth.ndjson", CancellationToken.None));

        failure.Message.ShouldBe("auth.ndjson line 2 has neither a numeric userId nor a sessionId to key it by.");
    }

    [Fact]
    public void Open_MissingFile_IsAUsageErrorNamingThePath()
    {
        Should.Throw<UsageException>(() => NdjsonReplay.Open("/nonexistent/events.ndjson"))
            .Message.ShouldContain("'/nonexistent/events.ndjson' does not exist");
    }

    private sealed class RecordingSink : IEventSink
    {
        public List<(string Topic, long Key, string Json)> Events { get; } = [];

        public void Write(string topic, long userKey, ReadOnlySpan<byte> json) => Events.Add((topic, userKey, Encoding.UTF8.GetString(json)));

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
