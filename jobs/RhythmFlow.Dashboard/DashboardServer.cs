using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RhythmFlow.Contracts;
using Serilog.Extensions.Logging;
using ILogger = Serilog.ILogger;

namespace RhythmFlow.Dashboard;

/// <summary>
/// The running dashboard: one page (dashboard-web/ next to the binaries) and its JSON endpoints under /api, on
/// 127.0.0.1 only. Start it with <see cref="StartAsync"/>; dispose it to stop.
/// </summary>
public sealed partial class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The page's address, e.g. http://127.0.0.1:8050/.</summary>
    public Uri Url { get; }

    /// <summary>Folder of the page's static files (the app's own files and the chart library from npm).</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "dashboard-web");

    /// <summary>
    /// Starts serving <paramref name="marts"/> (a data source of the warehouse holding schema <c>marts</c>) and returns
    /// once the port is bound. Throws <see cref="RhythmFlowException"/> when the port is taken.
    /// </summary>
    public static async Task<DashboardServer> StartAsync(
        DashboardOptions options, NpgsqlDataSource marts, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        SettingsValidator.Validate(options, "Dashboard");
        if (!File.Exists(Path.Combine(WebRoot, "index.html")) || !File.Exists(Path.Combine(WebRoot, "vendor", "echarts.min.js")))
        {
            throw new RhythmFlowException(
                $"The dashboard's web files are missing from {WebRoot}.",
                "Rebuild the CLI (it runs npm ci in jobs/RhythmFlow.Dashboard/web and copies the chart library).");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = WebRoot,
            Args = [],
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new SerilogLoggerProvider(logger));
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddSingleton(new DashboardQueries(marts));

        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(WebRoot),
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        MapApi(app, options);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            throw new RhythmFlowException(
                $"The dashboard could not listen on 127.0.0.1:{options.Port}: {ex.Message}",
                "Pick another port with --port (0 picks a free one), or stop what uses this one.",
                ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.EndsWith('/') ? address : address + "/");
        logger.Information("Dashboard serving the marts at {Url}", url);
        return new DashboardServer(app, url);
    }

    /// <summary>Completes when the server stops (after <paramref name="cancellationToken"/> fires, e.g. on Ctrl+C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void MapApi(WebApplication app, DashboardOptions options)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/meta", (DashboardQueries q, CancellationToken ct) => q.MetaAsync(ct));
        api.MapGet("/scorecards", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.ScorecardsAsync(f, ct)));
        api.MapGet("/states", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.StatesAsync(f, ct)));
        api.MapGet("/top-songs", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.TopSongsAsync(f, ct)));
        api.MapGet("/top-artists", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.TopArtistsAsync(f, ct)));
        api.MapGet("/gender-level", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.GenderLevelAsync(f, ct)));
        api.MapGet("/hourly", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.HourlyAsync(f, ct)));
        api.MapGet("/funnel", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.FunnelAsync(f, ct)));
        api.MapGet("/trends", (DashboardQueries q, HttpRequest r, CancellationToken ct) => Run(r, f => q.TrendsAsync(f, options.TrendDays, ct)));
    }

    private static async Task<IResult> Run<T>(HttpRequest request, Func<DashboardFilter, Task<T>> query)
    {
        if (!TryParseFilter(request.Query["date"], request.Query["state"], out var filter, out var problem))
        {
            return Results.BadRequest(new { error = problem });
        }

        return Results.Ok(await query(filter));
    }

    /// <summary>date=YYYY-MM-DD (required) and state=two capital letters (optional); anything else is rejected.</summary>
    internal static bool TryParseFilter(string? date, string? state, out DashboardFilter filter, out string problem)
    {
        filter = new DashboardFilter(default, null);
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            problem = "Query parameter 'date' must be a day as YYYY-MM-DD, e.g. date=2024-03-02.";
            return false;
        }

        if (!string.IsNullOrEmpty(state) && !StateCode().IsMatch(state))
        {
            problem = "Query parameter 'state' must be a two-letter US state code such as TX, or absent for all states.";
            return false;
        }

        filter = new DashboardFilter(day, string.IsNullOrEmpty(state) ? null : state);
        problem = string.Empty;
        return true;
    }

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex StateCode();
}
