using RhythmFlow.Testing;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>Paths in the repository and the built CLI the tests run.</summary>
internal static class Repository
{
    public static string Root => RepositoryCheckout.Root;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string TestFile(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>The built CLI next to the tests, so the contract is read from the same build the runner uses.</summary>
    public static string CliDll => System.IO.Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll");
}
