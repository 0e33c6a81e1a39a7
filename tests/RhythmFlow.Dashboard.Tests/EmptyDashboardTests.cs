using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using RhythmFlow.Testing;

namespace RhythmFlow.Dashboard.Tests;

/// <summary>A warehouse where the marts were never built: the API says so and the page shows how to build them.</summary>
public sealed class EmptyDashboardTests(MigratedPostgresDatabase database) : IClassFixture<MigratedPostgresDatabase>
{
    [Fact]
    public async Task Meta_NoMarts_ReportsNotBuilt()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Port = 0 }, database.DataSource, Serilog.Core.Logger.None, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.Url };

        var meta = await http.GetFromJsonAsync<DashboardMeta>("api/meta", new JsonSerializerOptions(JsonSerializerDefaults.Web));

        meta!.MartsBuilt.ShouldBeFalse();
        meta.Days.ShouldBeEmpty();
        server.Url.Host.ShouldBe("127.0.0.1");
    }

    [Fact]
    public async Task Page_NoMarts_ShowsHowToBuildThemInsteadOfCharts()
    {
        // Given
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Port = 0 }, database.DataSource, Serilog.Core.Logger.None, CancellationToken.None);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();

        // When
        await page.GotoAsync(server.Url.ToString());
        await page.WaitForFunctionAsync("() => document.body.dataset.loaded === 'empty'");

        // Then
        (await page.IsVisibleAsync("#empty")).ShouldBeTrue();
        (await page.IsVisibleAsync("#dashboard")).ShouldBeFalse();
        (await page.InnerTextAsync("#empty")).ShouldContain("./rhythmflow demo");
    }
}
