using RhythmFlow.Testing;

namespace RhythmFlow.Modeling.Tests;

/// <summary>Paths in the repository the tests read (the real dbt project, the npm verifiers).</summary>
internal static class Repository
{
    public static string Root => RepositoryCheckout.Root;

    public static string DbtProject => Path.Combine(Root, "dbt");
}
