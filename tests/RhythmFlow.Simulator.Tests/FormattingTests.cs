using RhythmFlow.Simulator.Model;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator.Tests;

public class FormattingTests
{
    [Theory]
    [InlineData(332.32935f, "332.32935")]
    [InlineData(245.1f, "245.1")]
    [InlineData(180f, "180.0")]
    [InlineData(0.001f, "0.001")]
    [InlineData(0.0001f, "1.0E-4")]
    [InlineData(1.0E7f, "1.0E7")]
    [InlineData(12345678f, "1.2345678E7")]
    [InlineData(-95.5f, "-95.5")]
    [InlineData(0f, "0.0")]
    public void FloatToString_PrintsAsJavaFloatToString(float value, string java)
    {
        JavaNumber.FloatToString(value).ShouldBe(java);
    }

    [Theory]
    [InlineData(-95.826002, "-95.826002")]
    [InlineData(29.747084, "29.747084")]
    [InlineData(54.143, "54.143")]
    [InlineData(-165.0, "-165.0")]
    public void DoubleToString_PrintsAsJavaDoubleToString(double value, string java)
    {
        JavaNumber.DoubleToString(value).ShouldBe(java);
    }

    [Fact]
    public void Generated_Catalog_IsDeterministicAndHeavyTailed()
    {
        var a = SongCatalog.Generated();
        var b = SongCatalog.Generated();
        a.Songs.Select(s => s.Json).ShouldBe(b.Songs.Select(s => s.Json));
        var counts = a.Songs.Select(s => s.Count).OrderDescending().ToList();
        counts[0].ShouldBeGreaterThan(100 * counts[counts.Count / 2]);
    }

    [Fact]
    public void Load_ListenCountsGzip_ReadsUtf8AndQuotes()
    {
        // Given a gzip listen_counts file with an accent, an empty duration and a quoted artist
        var path = Path.Combine(Path.GetTempPath(), $"listen_counts_{Guid.NewGuid():N}.txt.gz");
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
        {
            gz.Write("TR1\tLucio Dalla\tUna dolce melodia più\t245.1\t11826\nTR2\t\"Clarence \\\"Gatemouth\\\" Brown\"\tUp Jumped The Devil - Live\t\t11746\n"u8);
        }

        // When it is loaded
        var catalog = SongCatalog.Load(path);
        File.Delete(path);

        // Then text is clean UTF-8, the missing duration is eventsim's 180 and quotes are escaped
        System.Text.Encoding.UTF8.GetString(catalog.Songs[0].Json).ShouldBe("\"artist\":\"Lucio Dalla\",\"song\":\"Una dolce melodia più\",\"duration\":245.1");
        System.Text.Encoding.UTF8.GetString(catalog.Songs[1].Json).ShouldBe("\"artist\":\"\\\"Clarence \\\\\\\"Gatemouth\\\\\\\" Brown\\\"\",\"song\":\"Up Jumped The Devil - Live\",\"duration\":180.0");
    }

    [Fact]
    public void Load_MalformedCatalog_NamesFileAndLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"listen_counts_{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "TR1\tA\tB\t200\t5\nTR2\tA\tB\tlong\t5\n");
        var error = Should.Throw<RhythmFlow.Contracts.UsageException>(() => SongCatalog.Load(path));
        File.Delete(path);
        error.Message.ShouldContain(path);
        error.Message.ShouldContain("line 2");
    }
}
