namespace RhythmFlow.Parquet.Tests;

/// <summary>A file path under the temp folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string extension = ".parquet") =>
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rhythmflow-{Guid.NewGuid():N}{extension}");

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
