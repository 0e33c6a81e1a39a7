using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Tests;

public sealed class DbtProjectCompileTests
{
    private static DbtProject Load(string target) => DbtProject.Load(new ProjectLoadOptions(Repository.DbtProject, TargetName: target)
    {
        Environment = name => name == "GCP_PROJECT_ID" ? "rhythmflow-test" : null,
    });

    [Theory]
    [InlineData("local")]
    [InlineData("prod")]
    public void Compile_EveryModel_RendersWithoutJinjaLeftOver(string target)
    {
        var project = Load(target);
        foreach (var node in project.Nodes.Values.Where(n => n.ResourceType is ResourceType.Model or ResourceType.Test))
        {
            var sql = project.Compile(node, new CompileOptions(Execute: true, ExistsAsTable: _ => true));
            sql.ShouldNotContain("{{");
            sql.ShouldNotContain("{%");
        }
    }
}
