namespace RhythmFlow.Dashboard.Tests;

public sealed class DashboardFilterTests
{
    [Fact]
    public void DateKey_Day_IsYearMonthDayAsInteger() => DashboardFilter.DateKey(new DateOnly(2024, 3, 2)).ShouldBe(20240302);

    [Theory]
    [InlineData("2024-03-02", null, true)]
    [InlineData("2024-03-02", "", true)]
    [InlineData("2024-03-02", "DC", true)]
    [InlineData("2024-3-2", null, false)]
    [InlineData(null, "TX", false)]
    [InlineData("2024-03-02", "Texas", false)]
    public void TryParseFilter_Input_AcceptsOnlyIsoDaysAndStateCodes(string? date, string? state, bool valid)
    {
        DashboardServer.TryParseFilter(date, state, out var filter, out var problem).ShouldBe(valid);

        if (valid)
        {
            filter.Date.ShouldBe(new DateOnly(2024, 3, 2));
            filter.State.ShouldBe(string.IsNullOrEmpty(state) ? null : state);
        }
        else
        {
            problem.ShouldNotBeEmpty();
        }
    }

    [Fact]
    public async Task StartAsync_PortOutOfRange_ThrowsNamingTheSetting()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused");

        var failure = await Should.ThrowAsync<Contracts.InvalidSettingException>(
            DashboardServer.StartAsync(new DashboardOptions { Port = 70000 }, dataSource, Serilog.Core.Logger.None, CancellationToken.None));

        failure.Setting.ShouldBe("Dashboard:Port");
    }
}
