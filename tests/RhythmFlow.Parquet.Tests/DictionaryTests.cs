using System.Globalization;
using System.Text.Json;

namespace RhythmFlow.Parquet.Tests;

/// <summary>When the writer builds a dictionary, when it gives up, and that what it writes either way reads back.</summary>
public sealed class DictionaryTests
{
    private const int Rows = 12_000;

    private static readonly ParquetSchema Schema = new(
    [
        ParquetColumn.Int64("offset"), ParquetColumn.String("event_id"), ParquetColumn.String("song"),
        ParquetColumn.Int64("session"), ParquetColumn.Double("lat"), ParquetColumn.String("topic", required: false),
    ]);

    [Fact]
    public void Write_ColumnsOfDistinctAndRepeatingValues_DuckDbReadsPlainAndDictionaryChunksAlike()
    {
        // Given: unique columns (an offset, an id), 3,000 songs drawn at random (past the hash table's first size),
        // runs (a session's rows), values that repeat only as neighbours, and a nullable constant
        using var file = new TempFile();
        Write(file.Path);

        // When
        var duck = NodeVerifier.Run("parquet/read-with-duckdb.mjs", file.Path);

        // Then: every value reads back, unique columns gave up the dictionary and the others kept it
        var rows = duck.GetProperty("rows").EnumerateArray().ToList();
        rows.Count.ShouldBe(Rows);
        for (var i = 0; i < Rows; i++)
        {
            var actual = rows[i].EnumerateArray().ToList();
            var expected = Row(i);
            Text(actual[0]).ShouldBe(expected.Offset.ToString(CultureInfo.InvariantCulture), $"row {i} offset");
            actual[1].GetString().ShouldBe(expected.EventId, $"row {i} event_id");
            actual[2].GetString().ShouldBe(expected.Song, $"row {i} song");
            Text(actual[3]).ShouldBe(expected.Session.ToString(CultureInfo.InvariantCulture), $"row {i} session");
            double.Parse(Text(actual[4]), CultureInfo.InvariantCulture).ShouldBe(expected.Lat, $"row {i} lat");
            (actual[5].ValueKind == JsonValueKind.Null ? null : actual[5].GetString()).ShouldBe(expected.Topic, $"row {i} topic");
        }

        var encodings = duck.GetProperty("chunks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("path_in_schema").GetString()!, c => c.GetProperty("encodings").GetString()!);
        encodings["offset"].ShouldNotContain("DICTIONARY");
        encodings["event_id"].ShouldNotContain("DICTIONARY");
        encodings["song"].ShouldContain("RLE_DICTIONARY");
        encodings["session"].ShouldContain("RLE_DICTIONARY");
        encodings["lat"].ShouldContain("RLE_DICTIONARY");
        encodings["topic"].ShouldContain("RLE_DICTIONARY");
    }

    [Fact]
    public void Write_DisableDictionaryForAColumn_OnlyThatColumnIsPlainAndValuesReadBack()
    {
        // Given
        using var file = new TempFile();
        var options = new ParquetWriterOptions();
        options.DisableDictionaryFor.Add("session");

        // When
        Write(file.Path, options);

        // Then
        using var reader = ParquetReader.Open(file.Path);
        var chunks = reader.Metadata.RowGroups[0].Columns;
        chunks[3].Encodings.ShouldNotContain(ParquetEncoding.RleDictionary);
        chunks[2].Encodings.ShouldContain(ParquetEncoding.RleDictionary);
        var sessions = reader.ReadRows().Select(r => (long)r[3]!).ToList();
        sessions.ShouldBe(Enumerable.Range(0, Rows).Select(i => Row(i).Session));
    }

    [Fact]
    public void Constructor_DisableDictionaryForUnknownColumn_ThrowsNamingIt()
    {
        // Given
        var options = new ParquetWriterOptions();
        options.DisableDictionaryFor.Add("kafka_ofset");

        // When
        var error = Should.Throw<ArgumentException>(() => new ParquetWriter(new MemoryStream(), Schema, options));

        // Then
        error.Message.ShouldContain("'kafka_ofset'");
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Uncompressed)]
    public void Write_SameRowsBeforeAndAfterAnotherFile_BytesAreIdentical(ParquetCompression codec)
    {
        // Given: a file written once, then another file with other values through the same pooled scratch buffers
        var options = new ParquetWriterOptions { Compression = codec, MaxRowsPerRowGroup = 5_000 };
        var first = new MemoryStream();
        Write(first, options, rows: Rows);
        Write(new MemoryStream(), options, rows: Rows / 3, salt: "other");

        // When
        var again = new MemoryStream();
        Write(again, options, rows: Rows);

        // Then
        again.ToArray().ShouldBe(first.ToArray());
    }

    [Fact]
    public void TryBuildDictionary_FirstValuesAllDistinct_GivesUpWithoutIndexingTheRest()
    {
        // Given: 100,000 distinct offsets and ids, whose dictionary would fit the size limit but never pay
        var offsets = new Writing.FixedColumnWriter<long>(ParquetColumn.Int64("offset"));
        var ids = new Writing.ByteArrayColumnWriter(ParquetColumn.String("event_id"));
        for (var i = 0; i < 100_000; i++)
        {
            offsets.Append(i);
            ids.Append($"event-{i:D6}");
        }

        var indices = new int[100_000];
        indices.AsSpan().Fill(-1);

        // When
        var offsetsKept = offsets.TryBuildDictionary(64 << 20, indices, out _, out _);
        var idsKept = ids.TryBuildDictionary(64 << 20, indices, out _, out _);

        // Then: both stopped after the 4,096-value sample
        offsetsKept.ShouldBeFalse();
        idsKept.ShouldBeFalse();
        indices.AsSpan(4096).ContainsAnyExcept(-1).ShouldBeFalse();
    }

    [Fact]
    public void TryBuildDictionary_ManyDistinctValuesThatRepeat_KeepsTheDictionary()
    {
        // Given: 20,000 rows of 3,000 songs drawn at random, more entries than the hash table's first size
        var songs = new Writing.ByteArrayColumnWriter(ParquetColumn.String("song"));
        for (var i = 0; i < 20_000; i++)
        {
            songs.Append(Row(i).Song);
        }

        var indices = new int[20_000];

        // When
        var kept = songs.TryBuildDictionary(1 << 20, indices, out var entries, out _);

        // Then
        kept.ShouldBeTrue();
        entries.ShouldBe(Enumerable.Range(0, 20_000).Select(i => Row(i).Song).Distinct().Count());
    }

    private static (long Offset, string EventId, string Song, long Session, double Lat, string? Topic) Row(int i, string salt = "")
    {
        var song = (int)((uint)(i * 2_654_435_761L) % 3_000);
        return (1_000_000 + i, $"{salt}event-{i:D6}", $"{salt}Song title number {song}", i / 37, 25 + (i / 2 % 500 * 0.01), i % 11 == 0 ? null : "listen_events");
    }

    private static void Write(string path, ParquetWriterOptions? options = null)
    {
        using var stream = File.Create(path);
        Write(stream, options ?? new ParquetWriterOptions(), Rows);
    }

    private static void Write(Stream stream, ParquetWriterOptions options, int rows, string salt = "")
    {
        using var writer = new ParquetWriter(stream, Schema, options);
        for (var i = 0; i < rows; i++)
        {
            var row = Row(i, salt);
            writer.WriteRow(row.Offset, row.EventId, row.Song, row.Session, row.Lat, row.Topic);
        }
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
