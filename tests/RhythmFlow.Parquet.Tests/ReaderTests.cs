using System.Globalization;
using System.Text.Json;

namespace RhythmFlow.Parquet.Tests;

public sealed class ReaderTests
{
    [Theory]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Uncompressed)]
    public void ReadRows_OwnFile_ReturnsEveryValueWritten(ParquetCompression codec)
    {
        // Given
        using var file = new TempFile();
        SampleFiles.Write(file.Path, codec);

        // When
        using var reader = ParquetReader.Open(file.Path);
        var rows = reader.ReadRows().ToList();

        // Then
        reader.RowGroupCount.ShouldBe(3);
        reader.Metadata.KeyValueMetadata.ShouldContain(new KeyValuePair<string, string?>("rhythmflow.test", "all-types"));
        reader.Metadata.HasColumnOrders.ShouldBeTrue();
        rows.Count.ShouldBe(SampleFiles.Rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = SampleFiles.Row(i);
            expected[10] = (int)(sbyte)expected[10]!;
            expected[11] = expected[11] is short s ? (int)s : null;
            rows[i].ShouldBe(expected, $"row {i}");
        }
    }

    [Fact]
    public void ReadRowGroup_Projection_DecodesOnlyTheNamedColumns()
    {
        // Given
        using var file = new TempFile();
        SampleFiles.Write(file.Path, ParquetCompression.Snappy);
        using var reader = ParquetReader.Open(file.Path);

        // When
        var group = reader.ReadRowGroup(1, ["i64", "text"]);

        // Then
        group.Columns.Select(c => c.Column.Name).ShouldBe(["i64", "text"]);
        group.Column("i64").IsNull(1003 - 1000).ShouldBe(SampleFiles.Row(1003)[2] is null);
        group.Column("text").GetString(1).ShouldBe((string?)SampleFiles.Row(1001)[5]);
        Should.Throw<ArgumentException>(() => group.Column("f64")).Message.ShouldContain("not read");
    }

    [Fact]
    public void Metadata_Statistics_MatchTheValues()
    {
        using var file = new TempFile();
        SampleFiles.Write(file.Path, ParquetCompression.Snappy);
        using var reader = ParquetReader.Open(file.Path);

        var chunk = reader.Metadata.RowGroups[0].Columns[reader.Schema.RequireIndex("i64")];

        chunk.Statistics!.NullCount.ShouldBe(Enumerable.Range(0, 1000).Count(i => i % 7 == 3));
        BitConverter.ToInt64(chunk.Statistics.MinValue).ShouldBe(long.MinValue);
        BitConverter.ToInt64(chunk.Statistics.MaxValue).ShouldBe(long.MaxValue);
    }

    [Theory]
    [InlineData("snappy", "v1")]
    [InlineData("gzip", "v1")]
    [InlineData("uncompressed", "v1")]
    [InlineData("snappy", "v2")]
    [InlineData("gzip", "v2")]
    [InlineData("uncompressed", "v2")]
    public void ReadRows_FileWrittenByDuckDb_EqualsDuckDbsOwnRead(string compression, string version)
    {
        // Given: nulls, dictionary and unique strings, delta-friendly integers, floats, booleans, timestamps, dates
        using var file = new TempFile();
        const string select = """
            SELECT i::INTEGER AS i32, (i * 1000003)::BIGINT AS i64, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 7 END::BIGINT AS maybe,
                   (i * 1.5)::DOUBLE AS f64, (i / 3)::FLOAT AS f32, 'artist ' || (i % 50) AS artist, 'song-' || i || '-ü' AS song,
                   CASE WHEN i % 4 = 0 THEN NULL ELSE 'x' || (i % 9) END AS tag, i % 2 = 0 AS even,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS maybe_flag,
                   TIMESTAMP '2024-05-01 00:00:00' + INTERVAL (i * 37) SECOND AS ts, DATE '2024-01-01' + (i % 365)::INTEGER AS day
            FROM range(5000) t(i)
            """;

        // When
        var duck = NodeVerifier.Run("parquet/write-with-duckdb.mjs", file.Path, select, compression, version, "2000");
        using var reader = ParquetReader.Open(file.Path);
        var rows = reader.ReadRows().ToList();

        // Then
        var expected = duck.GetProperty("rows").EnumerateArray().ToList();
        rows.Count.ShouldBe(expected.Count);
        reader.RowGroupCount.ShouldBe(3);
        for (var i = 0; i < rows.Count; i++)
        {
            var duckRow = expected[i].EnumerateArray().ToList();
            for (var c = 0; c < duckRow.Count; c++)
            {
                Render(rows[i][c]).ShouldBe(Render(duckRow[c]), $"row {i} column {reader.Schema.Columns[c].Name}");
            }
        }
    }

    private static string Render(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string Render(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetDouble() == Math.Floor(value.GetDouble()) && !value.GetRawText().Contains('.', StringComparison.Ordinal) && !value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase)
            ? value.GetRawText()
            : value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        _ => value.GetString()!,
    };
}
