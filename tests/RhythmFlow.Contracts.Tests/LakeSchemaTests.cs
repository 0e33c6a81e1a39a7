using RhythmFlow.Contracts;

namespace RhythmFlow.Contracts.Tests;

public sealed class LakeSchemaTests
{
    [Theory]
    [InlineData("listen_events")]
    [InlineData("page_view_events")]
    [InlineData("auth_events")]
    [InlineData("status_change_events")]
    public void ColumnsOf_EveryTopic_HasUniqueSnakeCaseNamesEndingInLineage(string topic)
    {
        var columns = LakeSchema.ColumnsOf(topic);

        columns.Select(c => c.Name).ShouldBeUnique();
        columns.ShouldAllBe(c => c.Name == c.Name.ToLowerInvariant() && !c.Name.Contains(' '));
        columns.TakeLast(LakeSchema.Lineage.Count).ShouldBe(LakeSchema.Lineage);
        LakeSchema.EventIdentity.ShouldAllBe(id => columns.Any(c => c.Name == id && c.Required));
    }

    [Fact]
    public void EventColumnsOf_Listen_KeepsEventsimFieldOrder()
    {
        var fields = LakeSchema.EventColumnsOf(Topics.Listen).Select(c => c.EventField);

        fields.ShouldBe(
        [
            "artist", "song", "duration", "ts", "sessionId", "auth", "level", "itemInSession", "city", "zip", "state",
            "userAgent", "lon", "lat", "userId", "lastName", "firstName", "gender", "registration", "tag",
        ]);
    }

    [Fact]
    public void EventColumnsOf_Auth_HasNoAuthOrPage() =>
        LakeSchema.EventColumnsOf(Topics.Auth).ShouldNotContain(c => c.Name == "auth" || c.Name == "page");
}
