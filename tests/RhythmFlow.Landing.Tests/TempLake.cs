using RhythmFlow.Lake.Storage;

namespace RhythmFlow.Landing.Tests;

/// <summary>A lake in a fresh temporary folder, deleted afterwards.</summary>
internal sealed class TempLake : IDisposable
{
    public TempLake()
    {
        Root = Path.Combine(Path.GetTempPath(), "rhythmflow-landing-tests", Guid.NewGuid().ToString("N"));
        Storage = new LocalLakeStorage(Root);
    }

    public string Root { get; }

    public LocalLakeStorage Storage { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
