using System.Text.Unicode;
using RhythmFlow.Contracts;

namespace RhythmFlow.Landing.Validation;

/// <summary>
/// The verdict on one message. <see cref="Rule"/> names the failing rule (<c>empty</c>, <c>too-large</c>,
/// <c>utf8</c>, <c>json</c>, <c>schema.&lt;keyword&gt;</c>, <c>ts-window</c>), <see cref="Path"/> the JSON path.
/// <see cref="TsMillis"/> is the event time when it could be read (also for some invalid messages).
/// </summary>
internal readonly record struct Verdict(string? Rule, string Path, string Detail, long? TsMillis)
{
    public bool IsValid => Rule is null;

    public static Verdict Valid(long ts) => new(null, "$", string.Empty, ts);
}

/// <summary>
/// Checks every message the landing job consumes: size, UTF-8, JSON, the topic's JSON Schema (compiled from
/// the contract files, <see cref="CompiledEventSchema"/>) and the semantic rules that a schema cannot state.
/// Known pages and auth values, <c>level</c> free|paid and non-negative durations are the schema's enum and
/// minimum keywords; the event-time window depends on the clock, so it is checked here. One instance per thread.
/// </summary>
internal sealed class EventValidator
{
    // Compiled once per process and shared: a schema is immutable once compiled (its regexes are thread-safe), and
    // compiling the patterns per validator would cost JIT time on every lane.
    private static readonly Lazy<Dictionary<string, CompiledEventSchema>> Compiled = new(
        () => Topics.All.ToDictionary(t => t, t => CompiledEventSchema.Compile(t, EventSchemas.Text(t)), StringComparer.Ordinal));

    private readonly Dictionary<string, (CompiledEventSchema Schema, EventFields Fields, int Ts)> topics = new(StringComparer.Ordinal);
    private readonly LandingOptions options;
    private readonly TimeProvider time;

    // A lane validates one topic message after message; its entry is kept to skip hashing the name each time.
    private string? lastTopic;
    private (CompiledEventSchema Schema, EventFields Fields, int Ts) last;

    public EventValidator(LandingOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        foreach (var (topic, schema) in Compiled.Value)
        {
            topics[topic] = (schema, new EventFields(schema), schema.IndexOf("ts"));
        }
    }

    /// <summary>The fields of the last message validated for <paramref name="topic"/> (valid only until the next call).</summary>
    public EventFields FieldsOf(string topic) => Entry(topic).Fields;

    public static CompiledEventSchema SchemaOf(string topic) => Compiled.Value[Topics.Require(topic)];

    /// <summary>Validates one message's value (empty for a null value); the fields stay readable through <see cref="FieldsOf"/> until the next call.</summary>
    public Verdict Validate(string topic, ReadOnlyMemory<byte> message)
    {
        if (message.IsEmpty)
        {
            return new Verdict("empty", "$", "the message has no value", null);
        }

        if (message.Length > options.MaxMessageBytes)
        {
            return new Verdict("too-large", "$", $"{message.Length} bytes, more than Landing:MaxMessageBytes={options.MaxMessageBytes}", null);
        }

        if (!Utf8.IsValid(message.Span))
        {
            return new Verdict("utf8", "$", "the message is not valid UTF-8", null);
        }

        var (schema, fields, tsIndex) = Entry(topic);
        if (fields.Parse(message) is { } malformed)
        {
            return malformed.Keyword == "json"
                ? new Verdict("json", malformed.Path, malformed.Detail, null)
                : new Verdict("schema." + malformed.Keyword, malformed.Path, malformed.Detail, null);
        }

        long? ts = tsIndex >= 0 && fields.IsPresent(tsIndex) && fields.Value(tsIndex).Types.HasFlag(CompiledEventSchema.JsonTypes.Integer)
            ? fields.Value(tsIndex).Integer
            : null;
        if (schema.Evaluate(fields) is { } violation)
        {
            return new Verdict("schema." + violation.Keyword, violation.Path, violation.Detail, ts);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (ts < now - (long)options.MaxEventAge.TotalMilliseconds || ts > now + (long)options.MaxFutureSkew.TotalMilliseconds)
        {
            return new Verdict(
                "ts-window",
                "$.ts",
                $"event time {DateTimeOffset.FromUnixTimeMilliseconds(ts!.Value):o} is outside [now - Landing:MaxEventAge, now + Landing:MaxFutureSkew]",
                ts);
        }

        return Verdict.Valid(ts!.Value);
    }

    private (CompiledEventSchema Schema, EventFields Fields, int Ts) Entry(string topic)
    {
        if (!ReferenceEquals(topic, lastTopic))
        {
            last = topics[topic];
            lastTopic = topic;
        }

        return last;
    }
}
