using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace RhythmFlow.Dashboard.Tests;

/// <summary>Launches the system's Debian Chromium headless (never a downloaded browser), cut off from the network.</summary>
internal static class HeadlessChromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    });
}

/// <summary>The page in headless Chromium over the simulated marts.</summary>
[Collection(SimulatedMartsCollection.Name)]
public sealed class DashboardBrowserTests(SimulatedMarts marts) : IAsyncLifetime
{
    private static readonly string[] Charts = ["map", "hourly", "songs", "artists", "gender", "level", "funnel", "trends"];
    private readonly List<string> _consoleErrors = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private async Task<IPage> OpenAsync(int width, int height)
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                _consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        // The page must work offline: any request leaving 127.0.0.1 fails the test.
        await page.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Host is "127.0.0.1")
            {
                await route.ContinueAsync();
            }
            else
            {
                _consoleErrors.Add($"request to the internet: {route.Request.Url}");
                await route.AbortAsync();
            }
        });
        return page;
    }

    private static async Task<int> LoadsAsync(IPage page) =>
        await page.EvaluateAsync<int>("() => Number(document.body.dataset.loaded ?? 0)");

    // A finished load of exactly this "date|state" filter: the count alone is not enough, because one user action can
    // start several loads (a date input fires both input-driven and change events) and an earlier load may finish first.
    private static async Task WaitForLoadAsync(IPage page, string filter, int loadsBefore) =>
        await page.WaitForFunctionAsync(
            "([filter, before]) => document.body.dataset.filter === filter && Number(document.body.dataset.loaded) > before",
            new object[] { filter, loadsBefore },
            new PageWaitForFunctionOptions { Timeout = 30_000 });

    private static async Task<string?> CardValueAsync(IPage page, string metric) =>
        await page.GetAttributeAsync($"[data-metric='{metric}'] .value", "data-value");

    private async Task ShouldShowScorecardsAsync(IPage page, string? state)
    {
        (await page.IsHiddenAsync("#error")).ShouldBeTrue(await page.TextContentAsync("#error"));
        using var http = new HttpClient { BaseAddress = marts.Url };
        var date = await page.InputValueAsync("#date");
        var cards = (await http.GetFromJsonAsync<Scorecards>(
            $"api/scorecards?date={date}" + (state is null ? string.Empty : $"&state={state}"), new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        (await CardValueAsync(page, "streams")).ShouldBe(cards.Streams.ToString(CultureInfo.InvariantCulture));
        (await CardValueAsync(page, "activeUsers")).ShouldBe(cards.ActiveUsers.ToString(CultureInfo.InvariantCulture));
        (await CardValueAsync(page, "newUsers")).ShouldBe(cards.NewUsers.ToString(CultureInfo.InvariantCulture));
        (await CardValueAsync(page, "sessions")).ShouldBe(cards.Sessions.ToString(CultureInfo.InvariantCulture));
        ShouldShowRatio(await CardValueAsync(page, "paidShare"), cards.PaidShare);
        ShouldShowRatio(await CardValueAsync(page, "medianSessionSeconds"), cards.MedianSessionSeconds);
    }

    // The page keeps a missing ratio as an empty data-value (and shows a dash).
    private static void ShouldShowRatio(string? shown, double? expected)
    {
        if (expected is null)
        {
            shown.ShouldBe(string.Empty);
        }
        else
        {
            double.Parse(shown!, CultureInfo.InvariantCulture).ShouldBe(expected.Value, 1e-9);
        }
    }

    [Fact]
    public async Task Page_SimulatedMarts_RendersEveryChartAndFollowsTheFilters()
    {
        // Given
        var page = await OpenAsync(1440, 1900);

        // When
        await page.GotoAsync(marts.Url.ToString());
        await WaitForLoadAsync(page, "2024-03-02|", 0);

        // Then: the latest day, every chart drawn with data, the scorecards showing the API's numbers
        (await page.InputValueAsync("#date")).ShouldBe("2024-03-02");
        foreach (var chart in Charts)
        {
            var points = await page.GetAttributeAsync($"[data-chart='{chart}']", "data-points");
            int.Parse(points!, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0, $"chart {chart}");
            (await page.Locator($"[data-chart='{chart}'] canvas").CountAsync()).ShouldBeGreaterThan(0, $"chart {chart}");
        }

        await ShouldShowScorecardsAsync(page, null);
        await Task.Delay(700); // let the chart animations finish before the picture
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SimulatedMarts.ArtifactsDir, "dashboard.png"), FullPage = true });
        var allStreams = await CardValueAsync(page, "streams");

        // When: the previous day is picked
        var loads = await LoadsAsync(page);
        await page.FillAsync("#date", "2024-03-01");
        await page.DispatchEventAsync("#date", "change");
        await WaitForLoadAsync(page, "2024-03-01|", loads);

        // Then
        await ShouldShowScorecardsAsync(page, null);
        (await CardValueAsync(page, "streams")).ShouldNotBe(allStreams);

        // When: the day's busiest state is picked (so its numbers are neither zero nor the whole country's)
        var dayStreams = await CardValueAsync(page, "streams");
        using var http = new HttpClient { BaseAddress = marts.Url };
        var states = (await http.GetFromJsonAsync<JsonElement>("api/states?date=2024-03-01")).EnumerateArray().ToList();
        states.Count.ShouldBeGreaterThan(1);
        var state = states[0].GetProperty("stateCode").GetString()!;
        loads = await LoadsAsync(page);
        await page.SelectOptionAsync("#state", state);
        await WaitForLoadAsync(page, $"2024-03-01|{state}", loads);

        // Then
        await ShouldShowScorecardsAsync(page, state);
        (await CardValueAsync(page, "streams")).ShouldNotBeOneOf("0", dayStreams);
        (await page.InputValueAsync("#state")).ShouldBe(state);
        page.Url.ShouldContain($"state={state}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SimulatedMarts.ArtifactsDir, "dashboard-state.png"), FullPage = true });
        _consoleErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Page_ApiFailsOnAReload_ShowsTheErrorAndClearsTheScorecards()
    {
        // Given: a page that loaded, then an API whose scorecards start failing
        var page = await OpenAsync(1440, 1900);
        await page.GotoAsync(marts.Url.ToString());
        await WaitForLoadAsync(page, "2024-03-02|", 0);
        (await CardValueAsync(page, "streams")).ShouldNotBe(string.Empty);
        await page.RouteAsync("**/api/scorecards*", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 500, ContentType = "application/json", Body = """{"error":"the warehouse is unreachable"}""",
        }));

        // When
        var loads = await LoadsAsync(page);
        await page.FillAsync("#date", "2024-03-01");
        await page.DispatchEventAsync("#date", "change");
        await WaitForLoadAsync(page, "2024-03-01|", loads);

        // Then
        (await page.TextContentAsync("#error")).ShouldBe("Could not load the dashboard: the warehouse is unreachable");
        (await page.IsVisibleAsync("#error")).ShouldBeTrue();
        (await CardValueAsync(page, "streams")).ShouldBe(string.Empty);
        (await page.TextContentAsync("[data-metric='streams'] .value")).ShouldBe("–");
    }

    [Fact]
    public async Task Page_Phone_FitsTheScreenWidth()
    {
        var page = await OpenAsync(390, 844);

        await page.GotoAsync(marts.Url.ToString());
        await WaitForLoadAsync(page, "2024-03-02|", 0);

        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SimulatedMarts.ArtifactsDir, "dashboard-phone.png"), FullPage = true });
        _consoleErrors.ShouldBeEmpty();
    }
}
