using System.Globalization;
using System.Text.Json;

namespace RhythmFlow.Parquet.Tests;

public sealed class InteropTests
{
    [Theory]
    [InlineData(ParquetCompression.Snappy, "SNAPPY")]
    [InlineData(ParquetCompression.Gzip, "GZIP")]
    [InlineData(ParquetCompression.Uncompressed, "UNCOMPRESSED")]
    public void Write_EveryTypeAndCodec_DuckDbReadsSameValuesTypesAndStatistics(ParquetCompression codec, string duckName)
    {
        // Given
        using var file = new TempFile();
        SampleFiles.Write(file.Path, codec);

        // When
        var duck = NodeVerifier.Run("parquet/read-with-duckdb.mjs", file.Path);

        // Then
        var types = duck.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()).ToList();
        types.ShouldBe(["BOOLEAN", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "VARCHAR", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", "DATE", "TINYINT", "SMALLINT", "INTEGER", "BIGINT"]);
        var rows = duck.GetProperty("rows").EnumerateArray().ToList();
        rows.Count.ShouldBe(SampleFiles.Rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = SampleFiles.Row(i);
            var actual = rows[i].EnumerateArray().ToList();
            for (var c = 0; c < expected.Length; c++)
            {
                AssertSame(expected[c], actual[c], $"row {i} column {SampleFiles.AllTypes.Columns[c].Name}");
            }
        }

        var chunks = duck.GetProperty("chunks").EnumerateArray().ToList();
        chunks.Count.ShouldBe(3 * SampleFiles.AllTypes.Columns.Count);
        chunks.ShouldAllBe(c => c.GetProperty("compression").GetString() == duckName);
        var textChunk = chunks.First(c => c.GetProperty("path_in_schema").GetString() == "text");
        textChunk.GetProperty("encodings").GetString()!.ShouldContain("RLE_DICTIONARY");
        Number(textChunk.GetProperty("stats_null_count")).ShouldBe(Enumerable.Range(0, 1000).Count(i => i % 13 == 0));
        var uniqueChunk = chunks.First(c => c.GetProperty("path_in_schema").GetString() == "unique_text");
        uniqueChunk.GetProperty("encodings").GetString()!.ShouldNotContain("DICTIONARY");
        var i32 = chunks.First(c => c.GetProperty("path_in_schema").GetString() == "i32");
        i32.GetProperty("stats_min_value").GetString().ShouldBe(int.MinValue.ToString(CultureInfo.InvariantCulture));
        i32.GetProperty("stats_max_value").GetString().ShouldBe(int.MaxValue.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Write_EveryType_HyparquetReadsSameValuesAndStatistics()
    {
        // Given
        using var file = new TempFile();
        SampleFiles.Write(file.Path, ParquetCompression.Snappy);

        // When
        var hy = NodeVerifier.Run("parquet/read-with-hyparquet.mjs", file.Path);

        // Then
        var rows = hy.GetProperty("rows").EnumerateArray().ToList();
        rows.Count.ShouldBe(SampleFiles.Rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = SampleFiles.Row(i);
            for (var c = 0; c < expected.Length; c++)
            {
                var name = SampleFiles.AllTypes.Columns[c].Name;
                AssertSame(expected[c], rows[i].GetProperty(name), $"row {i} column {name}", millisecondTimestamps: true);
            }
        }

        var schema = hy.GetProperty("schema").EnumerateArray().ToList();
        schema[9].GetProperty("logical_type").GetProperty("unit").GetString().ShouldBe("MICROS");
        schema[9].GetProperty("converted_type").GetString().ShouldBe("TIMESTAMP_MICROS");
        var groups = hy.GetProperty("rowGroups").EnumerateArray().ToList();
        groups.Count.ShouldBe(3);
        var stats = groups[0].GetProperty("columns")[5].GetProperty("statistics");
        stats.GetProperty("max_value").GetString().ShouldBe("坂本龍一");
        stats.GetProperty("min_value").GetString().ShouldBe("");
    }

    /// <summary>Compares one written value with an engine's JSON rendering of it.</summary>
    private static void AssertSame(object? expected, JsonElement actual, string where, bool millisecondTimestamps = false)
    {
        switch (expected)
        {
            case null:
                actual.ValueKind.ShouldBe(JsonValueKind.Null, where);
                break;
            case bool b:
                actual.GetBoolean().ShouldBe(b, where);
                break;
            case float f:
                Number(actual).ShouldBe(f, where);
                break;
            case double d:
                Number(actual).ShouldBe(d, where);
                break;
            case string s:
                actual.GetString().ShouldBe(s, where);
                break;
            case DateTime t when millisecondTimestamps:
                // hyparquet turns timestamps into JS Dates, which hold whole milliseconds.
                (ParseTimestamp(actual.GetString()!) - t).Duration().ShouldBeLessThan(TimeSpan.FromMilliseconds(1), where);
                break;
            case DateTime t:
                ParseTimestamp(actual.GetString()!).ShouldBe(t, where);
                break;
            case DateOnly day:
                actual.GetString()![..10].ShouldBe(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), where);
                break;
            default:
                var text = actual.ValueKind == JsonValueKind.String ? actual.GetString() : actual.GetRawText();
                text.ShouldBe(Convert.ToString(expected, CultureInfo.InvariantCulture), where);
                break;
        }
    }

    private static double Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble();

    private static DateTime ParseTimestamp(string text) =>
        DateTimeOffset.Parse(text.EndsWith("+00", StringComparison.Ordinal) ? text + ":00" : text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
}
