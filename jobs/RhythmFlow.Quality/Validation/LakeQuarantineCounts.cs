using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Quality.Expectations;

namespace RhythmFlow.Quality.Validation;

/// <summary>
/// Quarantine and landed counts from the lake commit log: what the landing job quarantined (per topic and event hour)
/// and how many rows its committed raw files hold. The log is read once per run.
/// </summary>
public sealed class LakeQuarantineCounts(ILakeStorage storage) : IQuarantineCounts
{
    private LakeCommitLog? _log;

    public async Task<(long Quarantined, long Landed)> CountAsync(string topic, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        _log ??= await LakeCommitLog.OpenAsync(storage, cancellationToken).ConfigureAwait(false);
        var quarantined = _log.QuarantineTotals().Where(q => q.Topic == topic && q.EventHour >= start && q.EventHour < end).Sum(q => q.Count);
        long landed = 0;
        for (var hour = start; hour < end; hour = hour.AddHours(1))
        {
            landed += _log.RawFiles(topic, hour).Sum(f => f.Rows);
        }

        return (quarantined, landed);
    }
}
