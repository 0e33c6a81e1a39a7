using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Parquet;

namespace RhythmFlow.Lake.Tests;

public sealed class LakeEventWriterTests
{
    private const string Listen = """
        {"artist":"Daft Punk","song":"One More Time","duration":320.5,"ts":1711929600123,"sessionId":42,"auth":"Logged In","level":"paid","itemInSession":3,"city":"Tampa","zip":"33602","state":"FL","userAgent":"Mozilla \"5.0\"","lon":-82.45,"lat":27.95,"userId":7,"lastName":"Smith","firstName":"Ana","gender":"F","registration":1700000000000}
        """;

    [Fact]
    public void TryAppend_ValidListenEvent_WritesTypedColumnsAndLineage()
    {
        // Given
        using var output = new MemoryStream();
        using (var writer = new LakeEventWriter(output, Topics.Listen, "batch-1"))
        {
            // When
            writer.TryAppend(Encoding.UTF8.GetBytes(Listen), 2, 1001, 1711929600999, out var error).ShouldBeTrue(error.ToString());
        }

        // Then
        output.Position = 0;
        using var reader = new ParquetReader(output, "lake.parquet");
        reader.Schema.Columns.Select(c => c.Name).ShouldBe(LakeSchema.ColumnsOf(Topics.Listen).Select(c => c.Name));
        reader.Schema.Columns[reader.Schema.IndexOf("ts")].LogicalType.ShouldBe(ParquetLogicalType.Timestamp(ParquetTimeUnit.Millis));
        var row = reader.ReadRows().Single();
        Value(reader, row, "artist").ShouldBe("Daft Punk");
        Value(reader, row, "user_agent").ShouldBe("Mozilla \"5.0\"");
        Value(reader, row, "ts").ShouldBe(new DateTime(2024, 4, 1, 0, 0, 0, 123, DateTimeKind.Utc));
        Value(reader, row, "session_id").ShouldBe(42L);
        Value(reader, row, "item_in_session").ShouldBe(3);
        Value(reader, row, "lon").ShouldBe(-82.45);
        Value(reader, row, "tag").ShouldBeNull();
        Value(reader, row, LakeSchema.KafkaTopic).ShouldBe(Topics.Listen);
        Value(reader, row, LakeSchema.KafkaPartition).ShouldBe(2);
        Value(reader, row, LakeSchema.KafkaOffset).ShouldBe(1001L);
        Value(reader, row, LakeSchema.LandingBatchId).ShouldBe("batch-1");
    }

    [Theory]
    [InlineData("\"sessionId\":42", "\"sessionId\":\"42\"", "$.sessionId", "expected an integer")]
    [InlineData("\"itemInSession\":3", "\"itemInSession\":3000000000", "$.itemInSession", "within 32 bits")]
    [InlineData("\"artist\":\"Daft Punk\",", "", "$.artist", "missing")]
    [InlineData("\"level\":\"paid\"", "\"level\":null", "$.level", "null")]
    [InlineData("\"duration\":320.5", "\"duration\":true", "$.duration", "expected a number")]
    [InlineData("{\"artist\"", "[{\"artist\"", "$", "expected a JSON object")]
    [InlineData("1700000000000}", "1700000000000", "$", "not valid JSON")]
    public void TryAppend_EventThatDoesNotFit_RejectsItWholeNamingTheField(string find, string replace, string path, string reason)
    {
        // Given
        using var output = new MemoryStream();
        using var writer = new LakeEventWriter(output, Topics.Listen, "b");
        writer.TryAppend(Encoding.UTF8.GetBytes(Listen), 0, 1, 1, out _).ShouldBeTrue();

        // When
        var ok = writer.TryAppend(Encoding.UTF8.GetBytes(Listen.Replace(find, replace, StringComparison.Ordinal)), 0, 2, 2, out var error);

        // Then
        ok.ShouldBeFalse();
        error.Path.ShouldBe(path);
        error.Reason.ShouldContain(reason);
        writer.TryAppend(Encoding.UTF8.GetBytes(Listen), 0, 3, 3, out _).ShouldBeTrue();
        writer.Rows.ShouldBe(2);
    }

    [Fact]
    public void TryAppend_PageViewWithoutUserFields_WritesNulls()
    {
        using var output = new MemoryStream();
        const string pageView = """{"ts":1711929600000,"sessionId":1,"page":"Home","auth":"Logged Out","method":"GET","status":200,"level":"free","itemInSession":0,"city":"Tampa","zip":"33602","state":"FL","userAgent":"x","lon":1.5,"lat":2.5}""";
        using (var writer = new LakeEventWriter(output, Topics.PageView, "b"))
        {
            writer.TryAppend(Encoding.UTF8.GetBytes(pageView), 0, 0, 0, out var error).ShouldBeTrue(error.ToString());
        }

        output.Position = 0;
        using var reader = new ParquetReader(output, "pv.parquet");
        var row = reader.ReadRows().Single();
        Value(reader, row, "user_id").ShouldBeNull();
        Value(reader, row, "song").ShouldBeNull();
        Value(reader, row, "status").ShouldBe(200);
    }

    private static object? Value(ParquetReader reader, object?[] row, string column) => row[reader.Schema.RequireIndex(column)];
}
