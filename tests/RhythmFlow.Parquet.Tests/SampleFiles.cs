namespace RhythmFlow.Parquet.Tests;

/// <summary>A deterministic file covering every supported type, nulls, empty and Unicode strings, extremes and many row groups.</summary>
internal static class SampleFiles
{
    public const int Rows = 2500;
    public const int RowsPerGroup = 1000;

    public static ParquetSchema AllTypes { get; } = new(
    [
        ParquetColumn.Boolean("flag", required: false),
        ParquetColumn.Int32("i32"),
        ParquetColumn.Int64("i64", required: false),
        ParquetColumn.Float("f32"),
        ParquetColumn.Double("f64", required: false),
        ParquetColumn.String("text", required: false),
        ParquetColumn.String("unique_text"),
        ParquetColumn.Timestamp("ts_ms", ParquetTimeUnit.Millis),
        ParquetColumn.Timestamp("ts_us", ParquetTimeUnit.Micros, required: false),
        ParquetColumn.Date("day"),
        ParquetColumn.Integer("tiny", 8),
        ParquetColumn.Integer("small", 16, required: false),
        ParquetColumn.Integer("int32_logical", 32),
        ParquetColumn.Integer("int64_logical", 64),
    ]);

    private static readonly string[] Words = ["", "Kraftwerk", "Sigur Rós", "坂本龍一", "Beyoncé 🎤", "AC/DC", "\"quoted\"\n"];

    /// <summary>Row i of the sample (boxed, for the row API and for comparisons).</summary>
    public static object?[] Row(int i)
    {
        var random = new Random(i * 7919);
        var extreme = i % 500;
        return
        [
            i % 5 == 0 ? null : i % 2 == 0,
            extreme switch { 0 => int.MinValue, 1 => int.MaxValue, _ => random.Next(-1000, 1000) },
            i % 7 == 3 ? null : extreme switch { 0 => long.MinValue, 1 => long.MaxValue, _ => random.NextInt64(-1L << 40, 1L << 40) },
            extreme switch { 0 => float.MinValue, 1 => float.MaxValue, 2 => float.Epsilon, _ => (float)(random.NextDouble() * 100) },
            i % 11 == 0 ? null : extreme switch { 0 => double.MinValue, 1 => double.MaxValue, 2 => -0.0, _ => random.NextDouble() * 1e6 },
            i % 13 == 0 ? null : Words[i % Words.Length],
            $"unique-{i:D6}-{new string('x', 30)}",
            new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(i * 1234L),
            i % 17 == 0 ? null : new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(i * 10L * 777),
            new DateOnly(2024, 1, 1).AddDays(i % 400 - 200),
            (sbyte)(i % 256 - 128),
            i % 19 == 0 ? null : (short)(extreme == 0 ? short.MinValue : extreme == 1 ? short.MaxValue : i),
            i,
            (long)i * 1_000_000_007L,
        ];
    }

    public static void Write(string path, ParquetCompression codec)
    {
        var options = new ParquetWriterOptions
        {
            Compression = codec,
            MaxRowsPerRowGroup = RowsPerGroup,
            DictionaryPageSizeLimit = 4096,
            PageSizeBytes = 8192,
        };
        options.KeyValueMetadata["rhythmflow.test"] = "all-types";
        using var writer = new ParquetWriter(File.Create(path), AllTypes, options, ownsStream: true);
        for (var i = 0; i < Rows; i++)
        {
            var row = Row(i);
            ToStoredTypes(row);
            writer.WriteRow(row);
        }
    }

    /// <summary>The row API takes int for INT(8)/INT(16) too, so widen small integers as a caller would.</summary>
    private static void ToStoredTypes(object?[] row)
    {
        row[10] = (int)(sbyte)row[10]!;
        row[11] = row[11] is short s ? (int)s : null;
    }
}
