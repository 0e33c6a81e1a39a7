using System.Text;
using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Tests;

public class EventSchemasTests
{
    private const string Device =
        "\"city\":\"Katy\",\"zip\":\"77494\",\"state\":\"TX\",\"userAgent\":\"\\\"Mozilla/5.0\\\"\",\"lon\":-95.826002,\"lat\":29.747084";

    private const string User = "\"userId\":482301,\"lastName\":\"Smith\",\"firstName\":\"Jayden\",\"gender\":\"M\",\"registration\":1490000000000";

    public static TheoryData<string, string> Conforming => new()
    {
        { Topics.Listen, "{\"artist\":\"A\",\"song\":\"S\",\"duration\":332.32934,\"ts\":1648310400000,\"sessionId\":5,\"auth\":\"Logged In\",\"level\":\"paid\",\"itemInSession\":17," + Device + "," + User + "}" },
        { Topics.PageView, "{\"ts\":1648310401000,\"sessionId\":91,\"page\":\"Home\",\"auth\":\"Guest\",\"method\":\"GET\",\"status\":200,\"level\":\"free\",\"itemInSession\":0," + Device + "}" },
        { Topics.PageView, "{\"ts\":1648310401000,\"sessionId\":91,\"page\":\"NextSong\",\"auth\":\"Logged In\",\"method\":\"PUT\",\"status\":200,\"level\":\"free\",\"itemInSession\":3," + Device + "," + User + ",\"artist\":\"A\",\"song\":\"S\",\"duration\":180.0}" },
        { Topics.Auth, "{\"ts\":1648310401000,\"sessionId\":91,\"level\":\"free\",\"itemInSession\":3," + Device + ",\"success\":false}" },
        { Topics.StatusChange, "{\"ts\":1648310401000,\"sessionId\":91,\"auth\":\"Logged In\",\"level\":\"free\",\"itemInSession\":9," + Device + "," + User + "}" },
    };

    public static TheoryData<string, string, string> Violating => new()
    {
        { "a null field", Topics.PageView, "{\"ts\":1648310401000,\"sessionId\":91,\"page\":\"Home\",\"auth\":\"Guest\",\"method\":\"GET\",\"status\":200,\"level\":\"free\",\"itemInSession\":0," + Device + ",\"userId\":null}" },
        { "half a user block", Topics.PageView, "{\"ts\":1648310401000,\"sessionId\":91,\"page\":\"Home\",\"auth\":\"Guest\",\"method\":\"GET\",\"status\":200,\"level\":\"free\",\"itemInSession\":0," + Device + ",\"userId\":3}" },
        { "song fields on Home", Topics.PageView, "{\"ts\":1648310401000,\"sessionId\":91,\"page\":\"Home\",\"auth\":\"Guest\",\"method\":\"GET\",\"status\":200,\"level\":\"free\",\"itemInSession\":0," + Device + ",\"artist\":\"A\",\"song\":\"S\",\"duration\":1.0}" },
        { "NextSong without song", Topics.PageView, "{\"ts\":1648310401000,\"sessionId\":91,\"page\":\"NextSong\",\"auth\":\"Logged In\",\"method\":\"PUT\",\"status\":200,\"level\":\"free\",\"itemInSession\":3," + Device + "," + User + "}" },
        { "ts not whole seconds", Topics.Auth, "{\"ts\":1648310401001,\"sessionId\":91,\"level\":\"free\",\"itemInSession\":3," + Device + ",\"success\":false}" },
        { "an auth field on auth_events", Topics.Auth, "{\"ts\":1648310401000,\"sessionId\":91,\"auth\":\"Logged In\",\"level\":\"free\",\"itemInSession\":3," + Device + ",\"success\":true}" },
        { "a numeric zip", Topics.StatusChange, "{\"ts\":1648310401000,\"sessionId\":91,\"auth\":\"Logged In\",\"level\":\"free\",\"itemInSession\":9,\"city\":\"Katy\",\"zip\":77494,\"state\":\"TX\",\"userAgent\":\"x\",\"lon\":1.0,\"lat\":2.0," + User + "}" },
        { "a listen without the user block", Topics.Listen, "{\"artist\":\"A\",\"song\":\"S\",\"duration\":3.5,\"ts\":1648310400000,\"sessionId\":5,\"auth\":\"Logged In\",\"level\":\"paid\",\"itemInSession\":17," + Device + "}" },
        { "not JSON", Topics.Listen, "{\"artist\":" },
    };

    [Theory]
    [MemberData(nameof(Conforming))]
    public void Validate_EventsShapedLikeEventsim_HaveNoProblems(string topic, string json)
    {
        EventSchemas.Validate(topic, Encoding.UTF8.GetBytes(json)).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Violating))]
    public void Validate_BrokenContract_ReportsAProblem(string why, string topic, string json)
    {
        EventSchemas.Validate(topic, Encoding.UTF8.GetBytes(json)).ShouldNotBeEmpty(why);
    }

    [Fact]
    public void For_EveryTopic_LoadsASchemaThatForbidsUnknownFields()
    {
        foreach (var topic in Topics.All)
        {
            var schema = EventSchemas.For(topic);
            schema.AllowAdditionalProperties.ShouldBeFalse(topic);
            schema.Properties.ShouldContainKey("ts");
        }
    }

    [Fact]
    public void For_UnknownTopic_ThrowsNamingTheAllowedTopics()
    {
        Should.Throw<ArgumentException>(() => EventSchemas.For("plays")).Message.ShouldContain(Topics.Listen);
    }
}
