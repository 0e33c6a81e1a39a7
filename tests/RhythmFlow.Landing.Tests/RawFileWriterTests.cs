using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Batching;
using RhythmFlow.Landing.Validation;
using RhythmFlow.Parquet;

namespace RhythmFlow.Landing.Tests;

public sealed class RawFileWriterTests : IDisposable
{
    private readonly TempLake lake = new();

    public void Dispose() => lake.Dispose();

    [Fact]
    public async Task Append_StringsWithJsonEscapes_LandsTheUnescapedText()
    {
        // Given a listen event whose strings need escapes in JSON: quotes, a backslash and a non-ASCII letter
        var validator = new EventValidator(new LandingOptions(), TimeProvider.System);
        var listen = SampleEvents.For(Topics.Listen, SampleEvents.Ts.ToUnixTimeMilliseconds());
        listen["userAgent"] = "\"Mozilla/5.0 (Windows NT 6.1)\" \\ build";
        listen["city"] = "Zürich";
        var json = SampleEvents.Bytes(listen);
        System.Text.Encoding.UTF8.GetString(json).ShouldContain("\\u00FC", Case.Insensitive);

        // When it is validated and appended to a raw file that is then published
        validator.Validate(Topics.Listen, json).IsValid.ShouldBeTrue();
        var layout = new TopicLayout(Topics.Listen);
        await using var file = await RawFileWriter.CreateAsync(lake.Storage, layout, "20261122T013000Z-00000001", DataInterval.TruncateToHour(SampleEvents.Ts), 1 << 20, default);
        file.Append(validator.FieldsOf(Topics.Listen), new Lineage(0, 0, 0));
        var committed = await file.CompleteAsync(default);

        // Then the Parquet columns hold the text, not its JSON spelling
        var bytes = (await lake.Storage.TryReadAllBytesAsync(committed.Key, default)).ShouldNotBeNull();
        using var reader = new ParquetReader(new MemoryStream(bytes), committed.Key, ownsStream: true);
        var group = reader.ReadRowGroups(["user_agent", "city"]).Single();
        group.Column("user_agent").GetString(0).ShouldBe("\"Mozilla/5.0 (Windows NT 6.1)\" \\ build");
        group.Column("city").GetString(0).ShouldBe("Zürich");
    }
}
