using RhythmFlow.Contracts;

namespace RhythmFlow.Orchestration.Tests;

public sealed class DemoWorkspaceTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("rhythmflow-demo-workspace-").FullName;

    private DemoPaths Paths => new(Path.Combine(_workDir, "lake"), Path.Combine(_workDir, "quality"));

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    private void LeaveEarlierState()
    {
        Directory.CreateDirectory(Path.Combine(Paths.LakeRoot, "_commits"));
        File.WriteAllText(Path.Combine(Paths.LakeRoot, "_commits", "00000000000000000000.json"), "{}");
        Directory.CreateDirectory(Paths.QualityDir);
        File.WriteAllText(Path.Combine(Paths.QualityDir, "result.json"), "{}");
    }

    [Fact]
    public async Task ClaimAsync_FreshWorkDir_WritesTheMarkerAndRemovesNothing()
    {
        // Given
        var destroyed = 0;

        // When
        var replaced = await DemoWorkspace.ClaimAsync(_workDir, Paths, _ => { destroyed++; return Task.CompletedTask; }, null, CancellationToken.None);

        // Then
        replaced.ShouldBeFalse();
        destroyed.ShouldBe(0);
        File.Exists(Path.Combine(_workDir, DemoWorkspace.MarkerName)).ShouldBeTrue();
    }

    [Fact]
    public async Task ClaimAsync_EarlierDemoWithThePrivateWarehouse_RemovesItsLakeQualityAndWarehouse()
    {
        // Given: an earlier demo claimed the directory and left a lake and quality results
        await DemoWorkspace.ClaimAsync(_workDir, Paths, _ => Task.CompletedTask, null, CancellationToken.None);
        LeaveEarlierState();
        var destroyed = 0;
        var reports = new List<string>();

        // When
        var replaced = await DemoWorkspace.ClaimAsync(
            _workDir, Paths, _ => { destroyed++; return Task.CompletedTask; }, new SynchronousProgress(reports), CancellationToken.None);

        // Then
        replaced.ShouldBeTrue();
        destroyed.ShouldBe(1);
        Directory.Exists(Paths.LakeRoot).ShouldBeFalse();
        Directory.Exists(Paths.QualityDir).ShouldBeFalse();
        reports.ShouldHaveSingleItem().ShouldContain("removing the earlier demo's lake");
        File.Exists(Path.Combine(_workDir, DemoWorkspace.MarkerName)).ShouldBeTrue();
    }

    [Fact]
    public async Task ClaimAsync_LakeNotMadeByADemo_LeavesItForTheLandingCheck()
    {
        // Given: a lake that `rhythmflow land` wrote, with no demo marker
        LeaveEarlierState();
        var destroyed = 0;

        // When
        var replaced = await DemoWorkspace.ClaimAsync(_workDir, Paths, _ => { destroyed++; return Task.CompletedTask; }, null, CancellationToken.None);

        // Then: nothing is deleted (the landing stage then refuses the lake with its own message)
        replaced.ShouldBeFalse();
        destroyed.ShouldBe(0);
        File.Exists(Path.Combine(Paths.LakeRoot, "_commits", "00000000000000000000.json")).ShouldBeTrue();
    }

    [Fact]
    public async Task ClaimAsync_EarlierDemoWithAConfiguredWarehouse_RefusesAndKeepsEverything()
    {
        // Given
        await DemoWorkspace.ClaimAsync(_workDir, Paths, null, null, CancellationToken.None);
        LeaveEarlierState();

        // When
        var refused = await Should.ThrowAsync<UsageException>(() => DemoWorkspace.ClaimAsync(_workDir, Paths, null, null, CancellationToken.None));

        // Then
        refused.Message.ShouldContain("configured warehouse");
        refused.Hint.ShouldNotBeNull().ShouldContain("--work-dir");
        Directory.Exists(Paths.LakeRoot).ShouldBeTrue();
        Directory.Exists(Paths.QualityDir).ShouldBeTrue();
    }

    [Fact]
    public async Task ClaimAsync_UnreadableMarker_RefusesNamingTheMarker()
    {
        // Given
        await File.WriteAllTextAsync(Path.Combine(_workDir, DemoWorkspace.MarkerName), "{ not json");
        LeaveEarlierState();

        // When
        var refused = await Should.ThrowAsync<UsageException>(() => DemoWorkspace.ClaimAsync(_workDir, Paths, _ => Task.CompletedTask, null, CancellationToken.None));

        // Then
        refused.Message.ShouldContain(DemoWorkspace.MarkerName);
        Directory.Exists(Paths.LakeRoot).ShouldBeTrue();
    }

    private sealed class SynchronousProgress(List<string> reports) : IProgress<string>
    {
        public void Report(string value) => reports.Add(value);
    }
}
