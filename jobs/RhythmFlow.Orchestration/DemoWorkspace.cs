using System.Text.Json;
using RhythmFlow.Contracts;

namespace RhythmFlow.Orchestration;

/// <summary>
/// The demo's claim on a work directory. Each demo starts a new dev broker whose offsets begin at 0 again, so the lake
/// and warehouse of an earlier demo cannot be continued, only replaced. A marker written before the first batch lands
/// lets a later demo replace exactly what an earlier demo made, and never a lake or a warehouse it did not make.
/// </summary>
public static class DemoWorkspace
{
    public const string MarkerName = "demo-workspace.json";

    /// <summary>
    /// Removes what an earlier demo left in <paramref name="workDir"/> (its lake, its quality results and, through
    /// <paramref name="destroyEmbeddedWarehouse"/>, the work directory's private warehouse), then claims the directory
    /// for this demo. <paramref name="destroyEmbeddedWarehouse"/> is null when the warehouse is a configured one, which
    /// the demo never empties. Returns whether an earlier demo's state was removed.
    /// </summary>
    public static async Task<bool> ClaimAsync(
        string workDir,
        DemoPaths paths,
        Func<CancellationToken, Task>? destroyEmbeddedWarehouse,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var marker = Path.Combine(workDir, MarkerName);
        var earlier = File.Exists(marker) ? ReadMarker(marker) : null;
        var replaced = false;
        if (earlier is not null)
        {
            if (destroyEmbeddedWarehouse is null)
            {
                throw new UsageException(
                    $"An earlier demo ran in {workDir} (marker {marker}) and loaded the configured warehouse, which the demo does not empty.",
                    "Run the demo with a fresh --work-dir and an empty warehouse, or without --warehouse to use the work directory's private one.");
            }

            progress?.Report($"removing the earlier demo's lake, quality results and private warehouse from {workDir}");
            await destroyEmbeddedWarehouse(cancellationToken);
            DeleteIfPresent(earlier.LakeRoot);
            DeleteIfPresent(earlier.QualityDir);
            replaced = true;
        }

        Directory.CreateDirectory(workDir);
        await File.WriteAllTextAsync(marker, JsonSerializer.Serialize(paths), cancellationToken);
        return replaced;
    }

    private static DemoPaths ReadMarker(string marker)
    {
        try
        {
            return JsonSerializer.Deserialize<DemoPaths>(File.ReadAllText(marker))
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new UsageException(
                $"The demo marker {marker} is not readable ({e.Message}), so the demo cannot tell what an earlier demo left there.",
                "Run the demo with a fresh --work-dir, or remove that work directory after stopping its warehouse ('rhythmflow warehouse stop').");
        }
    }

    private static void DeleteIfPresent(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
