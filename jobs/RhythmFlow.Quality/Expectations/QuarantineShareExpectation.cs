using System.Text.Json.Nodes;
using RhythmFlow.Contracts;

namespace RhythmFlow.Quality.Expectations;

/// <summary>The landing job's quarantine, as the validator sees it: messages quarantined and rows landed for a topic and hours.</summary>
public interface IQuarantineCounts
{
    Task<(long Quarantined, long Landed)> CountAsync(string topic, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken);
}

/// <summary>
/// RhythmFlow's custom <c>expect_quarantined_share_to_be_below</c>: of the messages of <c>topic</c> whose event hour
/// is the batch's, the share the landing job quarantined (quarantined / (quarantined + landed)) must not exceed
/// <c>max_value</c>. Counts come from the lake commit log, so raw-batch quality sees what never reached the warehouse.
/// </summary>
internal sealed class QuarantineShareExpectation(string topic, double maxValue) : Expectation
{
    public override async Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var quarantine = context.Quarantine
            ?? throw new ExpectationRuntimeException("no lake is configured, so quarantine counts are unknown (pass --lake or set Lake:Root).");
        if (context.Batch.Start is not { } start || context.Batch.End is not { } end)
        {
            throw new ExpectationRuntimeException($"{context.Batch.Describe} has no hour; the quarantine share is measured per hour batch.");
        }

        var (quarantined, landed) = await quarantine.CountAsync(topic, start, end, cancellationToken).ConfigureAwait(false);
        var total = quarantined + landed;
        var share = total == 0 ? 0.0 : (double)quarantined / total;
        return new ExpectationOutcome(share <= maxValue, new JsonObject
        {
            ["observed_value"] = share,
            ["details"] = new JsonObject { ["quarantined_count"] = quarantined, ["landed_count"] = landed, ["topic"] = topic },
        });
    }

    internal static string RequireTopic(Kwargs kwargs)
    {
        var topic = kwargs.String("topic") ?? throw kwargs.Error("kwarg 'topic' is required.");
        return Topics.IsKnown(topic) ? topic : throw kwargs.Error($"kwarg 'topic' = '{topic}' is not a topic; use one of {string.Join(", ", Topics.All)}.");
    }
}
