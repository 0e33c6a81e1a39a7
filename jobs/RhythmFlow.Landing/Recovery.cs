using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using Serilog;

namespace RhythmFlow.Landing;

/// <summary>
/// Startup recovery: files under <c>raw/</c> and <c>quarantine/</c> that no committed batch lists are orphans of
/// batches that never committed (a crash between publishing files and appending the commit record, or a fenced
/// batch). They are first declared in a recovery record, then deleted; a batch that lists a declared file can no
/// longer commit, so a live writer's just-published files are never deleted from under a commit that succeeds.
/// </summary>
internal static class Recovery
{
    private static readonly TimeSpan AbandonedUploadAge = TimeSpan.FromMinutes(15);

    public static async Task<int> RemoveOrphansAsync(
        ILakeStorage storage, LakeCommitLog log, string writerId, string group, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var abandoned = await storage.DeleteAbandonedUploadsAsync(AbandonedUploadAge, cancellationToken).ConfigureAwait(false);
        if (abandoned > 0)
        {
            logger.Information("Deleted {Count} abandoned temporary uploads", abandoned);
        }

        for (var attempt = 1; ; attempt++)
        {
            await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
            var orphans = new List<string>();
            foreach (var root in new[] { LakeLayout.RawRoot, LakeLayout.QuarantineRoot })
            {
                await foreach (var item in storage.ListAsync(root + "/", cancellationToken).ConfigureAwait(false))
                {
                    if (!log.IsCommitted(item.Key))
                    {
                        orphans.Add(item.Key);
                    }
                }
            }

            if (orphans.Count == 0)
            {
                return 0;
            }

            try
            {
                var id = $"recovery-{time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Environment.ProcessId}";
                var record = await log.AppendAsync(
                    new LakeCommit(0, id, LakeCommitKind.Recovery, time.GetUtcNow(), writerId, group, [], [], [], orphans, null),
                    cancellationToken).ConfigureAwait(false);
                foreach (var key in orphans)
                {
                    await storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                }

                logger.Information("Recovery record {Sequence} deleted {Count} orphan files of batches that never committed", record.Sequence, orphans.Count);
                return orphans.Count;
            }
            catch (LakeCommitConflictException) when (attempt < 5)
            {
                // A concurrent batch committed some of these files meanwhile; list again.
            }
        }
    }
}
