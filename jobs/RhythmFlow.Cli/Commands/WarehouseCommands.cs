using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using RhythmFlow.Warehouse;

namespace RhythmFlow.Cli.Commands;

/// <summary>
/// How verbs reach the warehouse: <c>--warehouse</c>, else <c>Warehouse:ConnectionString</c>
/// (<c>RHYTHMFLOW_WAREHOUSE__CONNECTIONSTRING</c>), else the embedded PostgreSQL, started when needed.
/// </summary>
internal static class WarehouseCli
{
    private const string OptionName = "--warehouse";

    /// <summary>Adds <c>--warehouse</c> to a verb that uses the warehouse.</summary>
    public static Command WithWarehouseOption(this Command command)
    {
        command.Options.Add(new Option<string>(OptionName)
        {
            Description = "PostgreSQL connection string to use instead of the embedded warehouse (setting Warehouse:ConnectionString; "
                + "prefer the RHYTHMFLOW_WAREHOUSE__CONNECTIONSTRING environment variable, which keeps the password out of process lists).",
        });
        return command;
    }

    public static WarehouseOptions Options(ParseResult parseResult, CliContext context) =>
        context.Bind<WarehouseOptions>(WarehouseOptions.Section, options =>
        {
            if (parseResult.GetValue<string>(OptionName) is { Length: > 0 } connectionString)
            {
                options.ConnectionString = connectionString;
            }
        });

    /// <summary>The warehouse with migrations applied; see <see cref="WarehouseDataSource.OpenAsync"/>.</summary>
    public static Task<NpgsqlDataSource> OpenAsync(ParseResult parseResult, CliContext context, CancellationToken cancellationToken) =>
        WarehouseDataSource.OpenAsync(Options(parseResult, context), context.WorkDir, context.Logger, cancellationToken);
}

/// <summary><c>rhythmflow warehouse start|stop|status</c> and <c>rhythmflow sql</c>.</summary>
internal static class WarehouseCommands
{
    public static IEnumerable<Command> Create() => [CreateWarehouse(), CreateSql()];

    private static Command CreateWarehouse()
    {
        var start = new Command("start", "Start the embedded PostgreSQL (initialising it on first use) and apply migrations; prints where it listens.")
            .WithWarehouseOption()
            .WithAction(async (parseResult, context, cancellationToken) =>
            {
                var options = WarehouseCli.Options(parseResult, context);
                await using var dataSource = await WarehouseDataSource.OpenAsync(options, context.WorkDir, context.Logger, cancellationToken);
                await Console.Out.WriteLineAsync($"warehouse ready: {WarehouseDataSource.Describe(dataSource.ConnectionString)}");
                return 0;
            });

        var stop = new Command("stop", "Stop the embedded PostgreSQL (its data stays in the work directory).")
            .WithWarehouseOption()
            .WithAction(async (parseResult, context, cancellationToken) =>
            {
                var options = WarehouseCli.Options(parseResult, context);
                if (!string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    await Console.Out.WriteLineAsync("warehouse is external (a connection string is configured); nothing to stop");
                    return 0;
                }

                var stopped = await new EmbeddedPostgres(options, context.WorkDir, context.Logger).StopAsync(cancellationToken);
                await Console.Out.WriteLineAsync(stopped ? "warehouse stopped" : "warehouse was not running");
                return 0;
            });

        var status = new Command("status", "Show whether the warehouse runs, where its data lives and how to reach it. Exit code 3 when it is not running.")
            .WithWarehouseOption()
            .WithAction(async (parseResult, context, cancellationToken) =>
            {
                var options = WarehouseCli.Options(parseResult, context);
                if (!string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    await Console.Out.WriteLineAsync($"warehouse: external {WarehouseDataSource.Describe(options.ConnectionString)}");
                    return 0;
                }

                var embedded = await new EmbeddedPostgres(options, context.WorkDir, context.Logger).GetStatusAsync(cancellationToken);
                await Console.Out.WriteLineAsync($"warehouse:   embedded, {(embedded.Running ? "running" : embedded.Initialised ? "stopped" : "not initialised")}");
                await Console.Out.WriteLineAsync($"folder:      {embedded.Root}");
                if (embedded.Initialised)
                {
                    await Console.Out.WriteLineAsync($"cluster:     {embedded.DataDir}");
                    await Console.Out.WriteLineAsync($"log:         {embedded.LogFile}");
                    await Console.Out.WriteLineAsync($"server user: {embedded.ServiceUser ?? Environment.UserName}");
                }

                if (embedded.Running)
                {
                    await Console.Out.WriteLineAsync($"listening:   127.0.0.1:{embedded.Port} database '{options.Database}'");
                }

                return embedded.Running ? 0 : 3;
            });

        return new Command("warehouse", "Manage the embedded PostgreSQL warehouse (verbs that need it start it on their own).")
        {
            start,
            stop,
            status,
        };
    }

    private static Command CreateSql()
    {
        var query = new Argument<string>("query") { Description = "One SQL statement; it runs in a READ ONLY transaction." };
        var format = new Option<string>("--format") { Description = "Output: table (aligned text), csv (RFC 4180) or json (an array of objects).", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        return new Command("sql", "Run a read-only query against the warehouse and print the result, for people and scripts.")
        {
            query,
            format,
        }
        .WithWarehouseOption()
        .WithAction(async (parseResult, context, cancellationToken) =>
        {
            await using var dataSource = await WarehouseCli.OpenAsync(parseResult, context, cancellationToken);
            var result = await ReadOnlyQuery.RunAsync(dataSource, parseResult.GetValue(query)!, cancellationToken);
            var text = parseResult.GetValue(format) switch
            {
                "csv" => QueryResultFormatter.Csv(result),
                "json" => QueryResultFormatter.Json(result),
                _ => QueryResultFormatter.Table(result),
            };
            await Console.Out.WriteAsync(text);
            return 0;
        });
    }
}

/// <summary>Renders query results; values are invariant-culture, timestamps ISO-8601 UTC.</summary>
internal static class QueryResultFormatter
{
    public static string Table(QueryResult result)
    {
        var cells = result.Rows.Select(r => r.Select(v => Text(v) ?? string.Empty).ToArray()).ToList();
        var widths = result.Columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Length).Max()).ToArray();
        var output = new StringBuilder();
        output.AppendLine(string.Join(" | ", result.Columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        output.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            output.AppendLine(string.Join(" | ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
        }

        output.AppendLine(CultureInfo.InvariantCulture, $"({cells.Count} {(cells.Count == 1 ? "row" : "rows")})");
        return output.ToString();
    }

    public static string Csv(QueryResult result)
    {
        var output = new StringBuilder();
        output.AppendLine(string.Join(',', result.Columns.Select(Quote)));
        foreach (var row in result.Rows)
        {
            output.AppendLine(string.Join(',', row.Select(v => Quote(Text(v) ?? string.Empty))));
        }

        return output.ToString();

        static string Quote(string value) =>
            value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    public static string Json(QueryResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var row in result.Rows)
            {
                writer.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    writer.WritePropertyName(result.Columns[i]);
                    switch (row[i])
                    {
                        case null: writer.WriteNullValue(); break;
                        case bool b: writer.WriteBooleanValue(b); break;
                        case double d when !double.IsFinite(d): writer.WriteStringValue(Text(d)); break;
                        case int or long or short or double or float or decimal: writer.WriteRawValue(Text(row[i])!); break;
                        default: writer.WriteStringValue(Text(row[i])); break;
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateTime { Kind: DateTimeKind.Utc } utc => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTime local => local.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset instant => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
