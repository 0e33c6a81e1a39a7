using System.ComponentModel.DataAnnotations;
using RhythmFlow.Contracts;

namespace RhythmFlow.Contracts.Tests;

public sealed class SettingsValidatorTests
{
    private sealed class SampleOptions
    {
        [Range(1, 64)]
        public int Threads { get; set; } = 1;

        [AllowedValues("kafka", "ndjson", "stdout")]
        public string Sink { get; set; } = "kafka";
    }

    [Fact]
    public void Validate_ValidOptions_ReturnsThem()
    {
        var options = new SampleOptions();

        SettingsValidator.Validate(options, "Simulator").ShouldBeSameAs(options);
    }

    [Fact]
    public void Validate_OutOfRange_NamesSettingAndBounds()
    {
        var error = Should.Throw<InvalidSettingException>(() => SettingsValidator.Validate(new SampleOptions { Threads = 0 }, "Simulator"));

        error.Setting.ShouldBe("Simulator:Threads");
        error.Message.ShouldBe("Setting 'Simulator:Threads' must be between 1 and 64; got '0'.");
    }

    [Fact]
    public void Validate_NotAllowedValue_ListsAllowedValues()
    {
        var error = Should.Throw<InvalidSettingException>(() => SettingsValidator.Validate(new SampleOptions { Sink = "s3" }, "Simulator"));

        error.Message.ShouldBe("Setting 'Simulator:Sink' must be one of 'kafka', 'ndjson', 'stdout'; got 's3'.");
    }
}
