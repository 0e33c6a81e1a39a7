using System.CommandLine;
using Microsoft.Extensions.Configuration;
using RhythmFlow.Contracts;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace RhythmFlow.Cli;

/// <summary>
/// What one invocation of a verb works with: layered configuration (appsettings.json, then
/// <c>RHYTHMFLOW_</c> environment variables, then the verb's own options), a logger, the clock and the work directory.
/// </summary>
internal sealed class CliContext : IDisposable
{
    private const string EnvironmentPrefix = "RHYTHMFLOW_";

    private CliContext(IConfiguration configuration, Serilog.Core.Logger logger, string workDir, bool interactive)
    {
        Configuration = configuration;
        Logger = logger;
        WorkDir = workDir;
        IsInteractive = interactive;
    }

    public IConfiguration Configuration { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; } = TimeProvider.System;

    /// <summary>Absolute path of the work directory (lake, embedded warehouse, run state).</summary>
    public string WorkDir { get; }

    /// <summary>True when stderr is a terminal, so progress bars and colours are welcome.</summary>
    public bool IsInteractive { get; }

    public static CliContext Create(ParseResult parseResult)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .Build();

        var interactive = !Console.IsErrorRedirected;
        var workDir = Path.GetFullPath(
            parseResult.GetValue(GlobalOptions.WorkDir) ?? configuration["Paths:WorkDir"] ?? ".rhythmflow");
        var format = parseResult.GetValue(GlobalOptions.LogFormat) ?? configuration["Logging:Format"] ?? (interactive ? "text" : "json");
        var level = ParseLevel(parseResult.GetValue(GlobalOptions.LogLevel) ?? configuration["Serilog:MinimumLevel"] ?? "information");

        var loggerConfiguration = new LoggerConfiguration().MinimumLevel.Is(level).Enrich.FromLogContext();
        loggerConfiguration = format == "json"
            ? loggerConfiguration.WriteTo.Console(new JsonFormatter(renderMessage: true), standardErrorFromLevel: LogEventLevel.Verbose)
            : loggerConfiguration.WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose);

        return new CliContext(configuration, loggerConfiguration.CreateLogger(), workDir, interactive);
    }

    /// <summary>Binds a configuration section onto fresh options, applies the verb's overrides, then validates.</summary>
    public T Bind<T>(string section, Action<T>? overrides = null)
        where T : class, new()
    {
        var options = new T();
        Configuration.GetSection(section).Bind(options);
        overrides?.Invoke(options);
        return SettingsValidator.Validate(options, section);
    }

    public void Dispose() => (Logger as IDisposable)?.Dispose();

    private static LogEventLevel ParseLevel(string value) => value.ToLowerInvariant() switch
    {
        "verbose" => LogEventLevel.Verbose,
        "debug" => LogEventLevel.Debug,
        "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };
}
