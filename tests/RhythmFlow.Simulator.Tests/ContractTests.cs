using System.Text;
using System.Text.Json;
using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Tests;

public class ContractTests
{
    private static readonly string[] Device = ["city", "zip", "state", "userAgent", "lon", "lat"];
    private static readonly string[] UserBlock = ["userId", "lastName", "firstName", "gender", "registration"];
    private static readonly string[] Song = ["artist", "song", "duration"];

    private static List<string> Keys(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateObject().Select(p => p.Name)];
    }

    [Fact]
    public void Run_EveryTopic_WritesEventsimsFieldOrder()
    {
        // Given a simulated week
        var sink = SimulationRun.Week.Sink;

        // Then every message's keys are exactly eventsim's order, optional blocks included or left out whole
        foreach (var (_, json) in sink.Of(Topics.Listen))
        {
            Keys(json).ShouldBe([.. Song, "ts", "sessionId", "auth", "level", "itemInSession", .. Device, .. UserBlock]);
        }

        foreach (var (_, json) in sink.Of(Topics.PageView))
        {
            var keys = Keys(json);
            var shown = json.Contains("\"auth\":\"Logged In\"", StringComparison.Ordinal) || json.Contains("\"auth\":\"Cancelled\"", StringComparison.Ordinal);
            var song = json.Contains("\"page\":\"NextSong\"", StringComparison.Ordinal);
            keys.ShouldBe([.. new[] { "ts", "sessionId", "page", "auth", "method", "status", "level", "itemInSession" }, .. Device,
                .. shown ? UserBlock : [], .. song ? Song : []]);
        }

        foreach (var (_, json) in sink.Of(Topics.Auth))
        {
            var keys = Keys(json);
            var expectedUser = keys.Contains("userId") ? UserBlock : [];
            keys.ShouldBe(["ts", "sessionId", "level", "itemInSession", .. Device, .. expectedUser, "success"]);
        }

        foreach (var (_, json) in sink.Of(Topics.StatusChange))
        {
            Keys(json).ShouldBe(["ts", "sessionId", "auth", "level", "itemInSession", .. Device, .. UserBlock]);
        }
    }

    [Fact]
    public void Run_Week_EmitsEveryTopicAndNoNulls()
    {
        var sink = SimulationRun.Week.Sink;
        foreach (var topic in Topics.All)
        {
            sink.Of(topic).Count.ShouldBeGreaterThan(0, topic);
        }

        sink.All.ShouldAllBe(m => !m.Json.Contains(":null", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_Week_TimestampsAreWholeSecondsInsideTheWindow()
    {
        var (summary, sink) = SimulationRun.Week;
        foreach (var (_, _, json) in sink.All)
        {
            using var doc = JsonDocument.Parse(json);
            var ts = doc.RootElement.GetProperty("ts").GetInt64();
            (ts % 1000).ShouldBe(0);
            ts.ShouldBeGreaterThan(summary.Start.ToUnixTimeMilliseconds());
            ts.ShouldBeLessThan(summary.End.ToUnixTimeMilliseconds());
        }
    }

    [Fact]
    public void Run_EveryMessage_ValidatesAgainstItsSchema()
    {
        // Given a smaller run than the shared week (NJsonSchema validates about 3,000 messages a second), with a tag
        var (_, sink) = SimulationRun.Run(new SimulatorOptions
        {
            Users = 300, Start = SimulationRun.WeekStart.AddDays(4), End = SimulationRun.WeekStart.AddDays(6), Seed = 3, GrowthRate = 30, Tag = "t1",
        });

        // Then every message of every topic conforms
        sink.All.Select(m => m.Topic).Distinct().Count().ShouldBe(4);
        foreach (var (topic, _, json) in sink.All)
        {
            EventSchemas.Validate(topic, Encoding.UTF8.GetBytes(json)).ShouldBeEmpty(json);
        }
    }

    [Fact]
    public void Run_AuthEvents_FollowALoginPageAndCarryTheOutcome()
    {
        // Given every user's page views in order
        var sink = SimulationRun.Week.Sink;
        var pageViews = sink.Of(Topics.PageView).Select(m => JsonDocument.Parse(m.Json).RootElement).ToList();
        var views = pageViews.ToLookup(e => (e.GetProperty("sessionId").GetInt64(), e.GetProperty("itemInSession").GetInt32()));

        // Then each auth event matches a page view of the same session and item whose predecessor was Login
        foreach (var (_, json) in sink.Of(Topics.Auth))
        {
            var e = JsonDocument.Parse(json).RootElement;
            var session = e.GetProperty("sessionId").GetInt64();
            var item = e.GetProperty("itemInSession").GetInt32();
            var view = views[(session, item)].ShouldHaveSingleItem();
            var success = e.GetProperty("success").GetBoolean();
            success.ShouldBe(view.GetProperty("auth").GetString() == "Logged In");
            var previous = Enumerable.Range(1, item).Select(back => views[(session, item - back)].SingleOrDefault())
                .FirstOrDefault(v => v.ValueKind == JsonValueKind.Object && v.GetProperty("page").GetString() == "Login");
            previous.ValueKind.ShouldBe(JsonValueKind.Object, $"no Login before {json}");
        }
    }

    [Fact]
    public void Run_StatusChanges_CarryTheLevelBeforeTheChange()
    {
        var sink = SimulationRun.Week.Sink;
        var views = sink.Of(Topics.PageView).Select(m => JsonDocument.Parse(m.Json).RootElement)
            .ToDictionary(e => (e.GetProperty("sessionId").GetInt64(), e.GetProperty("itemInSession").GetInt32()));
        foreach (var (_, json) in sink.Of(Topics.StatusChange))
        {
            var e = JsonDocument.Parse(json).RootElement;
            var view = views[(e.GetProperty("sessionId").GetInt64(), e.GetProperty("itemInSession").GetInt32())];
            var page = view.GetProperty("page").GetString();
            page.ShouldBeOneOf("Submit Upgrade", "Submit Downgrade");
            e.GetProperty("level").GetString().ShouldBe(page == "Submit Upgrade" ? "free" : "paid");
        }
    }

    [Fact]
    public void Run_Keys_AreTheUserOfEveryEvent()
    {
        foreach (var (_, key, json) in SimulationRun.Week.Sink.All.Where(m => m.Json.Contains("\"userId\"", StringComparison.Ordinal)))
        {
            JsonDocument.Parse(json).RootElement.GetProperty("userId").GetInt64().ShouldBe(key);
        }
    }
}
