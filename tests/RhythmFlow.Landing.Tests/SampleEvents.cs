using System.Text.Json.Nodes;
using RhythmFlow.Contracts;

namespace RhythmFlow.Landing.Tests;

/// <summary>Hand-built, schema-valid eventsim events of each topic, for validator and landing tests.</summary>
internal static class SampleEvents
{
    public static readonly DateTimeOffset Ts = new(2026, 11, 22, 1, 30, 0, TimeSpan.Zero);

    public static JsonObject For(string topic, long ts = 0, long sessionId = 1, int item = 0)
    {
        ts = ts == 0 ? Ts.ToUnixTimeMilliseconds() : ts;
        var device = new JsonObject
        {
            ["city"] = "Tampa", ["zip"] = "33637", ["state"] = "FL",
            ["userAgent"] = "Mozilla/5.0 (Windows NT 6.1; WOW64)", ["lon"] = -82.4, ["lat"] = 28.06,
        };
        var user = new JsonObject
        {
            ["userId"] = 42, ["lastName"] = "Lopez", ["firstName"] = "Ana", ["gender"] = "F", ["registration"] = 1_700_000_000_000,
        };
        JsonObject head = topic switch
        {
            Topics.Listen => new JsonObject
            {
                ["artist"] = "Kings Of Leon", ["song"] = "Use Somebody", ["duration"] = 230.5, ["ts"] = ts,
                ["sessionId"] = sessionId, ["auth"] = "Logged In", ["level"] = "paid", ["itemInSession"] = item,
            },
            Topics.PageView => new JsonObject
            {
                ["ts"] = ts, ["sessionId"] = sessionId, ["page"] = "Home", ["auth"] = "Logged In", ["method"] = "GET",
                ["status"] = 200, ["level"] = "free", ["itemInSession"] = item,
            },
            Topics.Auth => new JsonObject { ["ts"] = ts, ["sessionId"] = sessionId, ["level"] = "free", ["itemInSession"] = item },
            _ => new JsonObject
            {
                ["ts"] = ts, ["sessionId"] = sessionId, ["auth"] = "Logged In", ["level"] = "paid", ["itemInSession"] = item,
            },
        };
        foreach (var (key, value) in device.Concat(user).ToList())
        {
            head[key] = value?.DeepClone();
        }

        if (topic == Topics.Auth)
        {
            head["success"] = true;
        }

        return head;
    }

    public static byte[] Bytes(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
}
