using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Parquet;
using RhythmFlow.Parquet.Reading;

namespace RhythmFlow.Cli.Commands;

/// <summary><c>rhythmflow parquet inspect|cat|from-ndjson</c>: the lake's file format, as a user meets it.</summary>
internal static class ParquetCommands
{
    public static IEnumerable<Command> Create()
    {
        var parquet = new Command("parquet", "Inspect, print and create Parquet files (the lake's file format).");
        parquet.Subcommands.Add(Inspect());
        parquet.Subcommands.Add(Cat());
        parquet.Subcommands.Add(FromNdjson());
        return [parquet];
    }

    private static Command Inspect()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var json = new Option<bool>("--json") { Description = "Print as JSON instead of text." };
        var command = new Command("inspect", "Print a Parquet file's schema, row groups (codec, encodings, sizes, statistics per column chunk) and key/value metadata.")
        {
            file,
            json,
        };
        command.WithAction((parseResult, _, _) =>
        {
            using var reader = Open(parseResult.GetValue(file)!);
            var description = Describe(reader);
            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            }
            else
            {
                PrintText(description);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Cat()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var columns = new Option<string>("--columns") { Description = "Comma-separated columns to print (default: all)." };
        var limit = new Option<long?>("--limit") { Description = "Print at most this many rows." };
        var command = new Command("cat", "Print a Parquet file's rows as NDJSON (timestamps as ISO-8601 UTC).")
        {
            file,
            columns,
            limit,
        };
        command.WithAction((parseResult, _, cancellationToken) =>
        {
            var path = parseResult.GetValue(file)!;
            var max = parseResult.GetValue(limit) ?? long.MaxValue;
            if (max < 0)
            {
                throw new UsageException($"--limit {max} is negative.", "Give --limit 0 or more.");
            }

            using var reader = Open(path);
            var selected = parseResult.GetValue(columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var name in selected ?? [])
            {
                if (reader.Schema.IndexOf(name) < 0)
                {
                    throw new UsageException(
                        $"{path} has no column '{name}'.", $"Columns: {string.Join(", ", reader.Schema.Columns.Select(c => c.Name))}.");
                }
            }

            using var stdout = Console.OpenStandardOutput();
            using var buffered = new BufferedStream(stdout, 1 << 16);
            using var json = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            long printed = 0;
            try
            {
                for (var g = 0; g < reader.RowGroupCount && printed < max; g++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var group = reader.ReadRowGroup(g, selected);
                    for (var r = 0; r < group.RowCount && printed < max; r++, printed++)
                    {
                        json.WriteStartObject();
                        foreach (var column in group.Columns)
                        {
                            json.WritePropertyName(column.Column.Name);
                            WriteValue(json, column, r);
                        }

                        json.WriteEndObject();
                        json.Flush();
                        buffered.WriteByte((byte)'\n');
                        json.Reset();
                    }
                }
            }
            catch (ParquetFormatException ex)
            {
                throw NotParquet(ex);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command FromNdjson()
    {
        var topic = new Option<string>("--topic") { Description = $"The topic of the events: {string.Join(", ", Topics.All)}.", Required = true };
        var input = new Option<string>("--in") { Description = "eventsim NDJSON dump of that topic (one JSON event per line).", Required = true };
        var output = new Option<string>("--out") { Description = "The Parquet file to write (replaced if it exists).", Required = true };
        var codec = new Option<string>("--codec") { Description = "Compression: snappy (default), gzip or none.", DefaultValueFactory = _ => "snappy" };
        var strict = new Option<bool>("--strict") { Description = "Fail on the first invalid line instead of reporting and skipping it." };
        var command = new Command(
            "from-ndjson",
            "Convert an eventsim NDJSON dump of one topic into a Parquet file with that topic's lake schema (lineage: partition 0, offset = line number - 1).")
        {
            topic,
            input,
            output,
            codec,
            strict,
        };
        command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var topicName = parseResult.GetValue(topic)!;
            if (!Topics.IsKnown(topicName))
            {
                throw new UsageException($"Unknown topic '{topicName}'.", $"Use one of: {string.Join(", ", Topics.All)}.");
            }

            var compression = parseResult.GetValue(codec)!.ToLowerInvariant() switch
            {
                "snappy" => ParquetCompression.Snappy,
                "gzip" => ParquetCompression.Gzip,
                "none" or "uncompressed" => ParquetCompression.Uncompressed,
                var other => throw new UsageException($"Unknown codec '{other}'.", "Use --codec snappy, gzip or none."),
            };
            var inPath = parseResult.GetValue(input)!;
            var outPath = Path.GetFullPath(parseResult.GetValue(output)!);
            if (!File.Exists(inPath))
            {
                throw new UsageException($"Input file '{inPath}' does not exist.", "Give --in the path of an NDJSON dump.");
            }

            var result = await ConvertAsync(topicName, inPath, outPath, compression, parseResult.GetValue(strict), context, cancellationToken);
            Console.Out.WriteLine($"wrote {result.Rows} rows to {outPath}; skipped {result.Skipped} invalid lines");
            return 0;
        });
        return command;
    }

    private static async Task<(long Rows, long Skipped)> ConvertAsync(
        string topic, string inPath, string outPath, ParquetCompression compression, bool strict, CliContext context, CancellationToken cancellationToken)
    {
        // Written beside the target and renamed at the end, so a failed run never leaves a half file under the real name.
        var temporary = outPath + ".partial";
        long skipped = 0;
        long rows;
        try
        {
            await using (var outStream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var options = new ParquetWriterOptions { Compression = compression };
                options.KeyValueMetadata["rhythmflow.topic"] = topic;
                options.KeyValueMetadata["rhythmflow.source"] = Path.GetFileName(inPath);
                using var writer = new LakeEventWriter(outStream, topic, $"from-ndjson-{Path.GetFileNameWithoutExtension(inPath)}", options);
                await using var inStream = new FileStream(inPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                long lineNumber = 0;
                await foreach (var line in NdjsonLines.ReadAsync(inStream, cancellationToken))
                {
                    lineNumber++;
                    if (line.Length == 0 || line.Span.Trim(" \t\r"u8).Length == 0)
                    {
                        continue;
                    }

                    if (writer.TryAppend(line.Span, 0, lineNumber - 1, 0, out var error))
                    {
                        continue;
                    }

                    if (strict)
                    {
                        throw new UsageException($"{inPath} line {lineNumber}: {error}", "Fix or remove the line, or run without --strict to skip invalid lines.");
                    }

                    skipped++;
                    context.Logger.Warning("Skipped {File} line {Line}: {Field} {Reason}", inPath, lineNumber, error.Path, error.Reason);
                }

                rows = writer.Rows;
            }

            File.Move(temporary, outPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return (rows, skipped);
    }

    private static ParquetReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"File '{path}' does not exist.", "Give the path of a Parquet file.");
        }

        try
        {
            return ParquetReader.Open(path);
        }
        catch (ParquetFormatException ex)
        {
            throw NotParquet(ex);
        }
    }

    private static RhythmFlowException NotParquet(ParquetFormatException ex) =>
        new(ex.Message, "The file is not valid Parquet or uses a feature RhythmFlow does not read (see docs/parquet.md).", ex);

    private static void WriteValue(Utf8JsonWriter json, ParquetColumnData column, int row)
    {
        if (column.IsNull(row))
        {
            json.WriteNullValue();
            return;
        }

        switch (column.GetValue(row))
        {
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float or double:
                json.WriteStringValue(Convert.ToString(column.GetValue(row), CultureInfo.InvariantCulture));
                break;
            case DateTime t:
                json.WriteStringValue(FormatTimestamp(t, column.Column.LogicalType));
                break;
            case DateOnly d:
                json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
        }
    }

    private static string FormatTimestamp(DateTime value, ParquetLogicalType logical)
    {
        var fraction = logical.Unit switch { ParquetTimeUnit.Millis => "fff", ParquetTimeUnit.Micros => "ffffff", _ => "fffffff" };
        var zone = logical.IsAdjustedToUtc ? "Z" : string.Empty;
        return value.ToString($"yyyy-MM-dd'T'HH:mm:ss.{fraction}'{zone}'", CultureInfo.InvariantCulture);
    }

    private sealed record ColumnDescription(string Name, string Physical, string Logical, string Repetition);

    private sealed record ChunkDescription(string Column, string Codec, IReadOnlyList<string> Encodings, long NumValues, long CompressedBytes, long UncompressedBytes, long? NullCount, string? Min, string? Max);

    private sealed record RowGroupDescription(int Index, long Rows, long TotalByteSize, IReadOnlyList<ChunkDescription> Columns);

    private sealed record FileDescription(string File, long Rows, string? CreatedBy, IReadOnlyList<ColumnDescription> Schema, IReadOnlyList<RowGroupDescription> RowGroups, IReadOnlyDictionary<string, string?> KeyValueMetadata);

    private static FileDescription Describe(ParquetReader reader)
    {
        var metadata = reader.Metadata;
        return new FileDescription(
            reader.Name,
            metadata.NumRows,
            metadata.CreatedBy,
            [.. metadata.Schema.Columns.Select(c => new ColumnDescription(c.Name, Upper(c.PhysicalType), c.LogicalType.ToString(), Upper(c.Repetition)))],
            [.. metadata.RowGroups.Select((g, i) => new RowGroupDescription(i, g.NumRows, g.TotalByteSize, [.. g.Columns.Select(DescribeChunk)]))],
            metadata.KeyValueMetadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    private static ChunkDescription DescribeChunk(ParquetColumnChunkMetadata chunk) => new(
        chunk.Column.Name,
        Upper(chunk.Codec),
        [.. chunk.Encodings.Select(Upper)],
        chunk.NumValues,
        chunk.TotalCompressedSize,
        chunk.TotalUncompressedSize,
        chunk.Statistics?.NullCount,
        StatisticText(chunk.Column, chunk.Statistics?.MinValue),
        StatisticText(chunk.Column, chunk.Statistics?.MaxValue));

    private static string Upper<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    /// <summary>Renders a PLAIN-encoded statistic in the column's own terms (dates, timestamps, text).</summary>
    private static string? StatisticText(ParquetColumn column, byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        var logical = column.LogicalType;
        return (column.PhysicalType, bytes.Length) switch
        {
            (ParquetPhysicalType.Boolean, 1) => bytes[0] != 0 ? "true" : "false",
            (ParquetPhysicalType.Int32, 4) when logical.Kind == ParquetLogicalKind.Date =>
                DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays(BinaryPrimitives.ReadInt32LittleEndian(bytes)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            (ParquetPhysicalType.Int32, 4) => BinaryPrimitives.ReadInt32LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
            (ParquetPhysicalType.Int64, 8) when logical.Kind == ParquetLogicalKind.Timestamp =>
                FormatTimestamp(ParquetColumnData.ToDateTime(BinaryPrimitives.ReadInt64LittleEndian(bytes), logical), logical),
            (ParquetPhysicalType.Int64, 8) => BinaryPrimitives.ReadInt64LittleEndian(bytes).ToString(CultureInfo.InvariantCulture),
            (ParquetPhysicalType.Float, 4) => BinaryPrimitives.ReadSingleLittleEndian(bytes).ToString("R", CultureInfo.InvariantCulture),
            (ParquetPhysicalType.Double, 8) => BinaryPrimitives.ReadDoubleLittleEndian(bytes).ToString("R", CultureInfo.InvariantCulture),
            (ParquetPhysicalType.ByteArray, _) when logical.Kind is ParquetLogicalKind.String or ParquetLogicalKind.Json or ParquetLogicalKind.Enum => Encoding.UTF8.GetString(bytes),
            _ => "0x" + Convert.ToHexString(bytes),
        };
    }

    private static void PrintText(FileDescription file)
    {
        var o = Console.Out;
        o.WriteLine($"file: {file.File}");
        o.WriteLine($"rows: {file.Rows}");
        o.WriteLine($"created by: {file.CreatedBy ?? "(unknown)"}");
        o.WriteLine("schema:");
        foreach (var c in file.Schema)
        {
            o.WriteLine($"  {c.Name,-24} {c.Repetition,-8} {c.Physical,-10} {c.Logical}");
        }

        foreach (var group in file.RowGroups)
        {
            o.WriteLine($"row group {group.Index}: {group.Rows} rows, {group.TotalByteSize} bytes uncompressed");
            foreach (var c in group.Columns)
            {
                o.WriteLine(
                    $"  {c.Column,-24} {c.Codec,-12} {string.Join('+', c.Encodings),-28} {c.CompressedBytes,10} B (uncompressed {c.UncompressedBytes,10} B)  nulls={c.NullCount?.ToString(CultureInfo.InvariantCulture) ?? "?"}  min={c.Min ?? "-"}  max={c.Max ?? "-"}");
            }
        }

        o.WriteLine("key/value metadata:");
        foreach (var (key, value) in file.KeyValueMetadata)
        {
            o.WriteLine($"  {key} = {value}");
        }
    }
}

/// <summary>Splits a byte stream into lines without decoding them to strings.</summary>
internal static class NdjsonLines
{
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                yield return buffer.AsMemory(start, newline);
                start += newline + 1;
                continue;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
            {
                if (end > start)
                {
                    yield return buffer.AsMemory(start, end - start);
                }

                yield break;
            }

            end += read;
        }
    }
}
