namespace RhythmFlow.Modeling.Tests;

/// <summary>Paths in the repository the tests read (the real dbt project, the npm verifiers).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string DbtProject => Path.Combine(Root, "dbt");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RhythmFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RhythmFlow.sln not found above the test binaries.");
    }
}
