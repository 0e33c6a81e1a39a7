using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RhythmFlow.Landing.Validation;

/// <summary>
/// A topic's JSON Schema (the same file NJsonSchema loads, <see cref="Contracts.EventSchemas"/>) compiled for the
/// landing job's hot path. NJsonSchema parses every message into a JToken tree, far too slow at hundreds of
/// thousands of events a second; this evaluates the schema against one flat pass of <see cref="Utf8JsonReader"/>.
/// It supports the keywords the event schemas use (flat objects) and refuses to compile any other, so a schema
/// change can never be silently ignored; a test checks that it agrees with NJsonSchema.
/// </summary>
internal sealed class CompiledEventSchema
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal) { "$schema", "$id", "title", "description", "$comment" };

    private readonly Dictionary<string, int> propertyIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> propertyLookup;

    private CompiledEventSchema(string topic, JsonElement root)
    {
        Topic = topic;
        if (root.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                propertyIndex[property.Name] = propertyIndex.Count;
            }
        }

        PropertyNames = [.. propertyIndex.Keys];
        PropertyNamesUtf8 = [.. PropertyNames.Select(Encoding.UTF8.GetBytes)];
        propertyLookup = propertyIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        Root = Compile(root, "#");
    }

    public string Topic { get; }

    /// <summary>The top-level property names, in schema order; a field's index in an <see cref="EventFields"/>.</summary>
    public IReadOnlyList<string> PropertyNames { get; }

    /// <summary><see cref="PropertyNames"/> as UTF-8, to compare with a name token without decoding it.</summary>
    public IReadOnlyList<byte[]> PropertyNamesUtf8 { get; }

    internal Node Root { get; }

    public static CompiledEventSchema Compile(string topic, string schemaText)
    {
        using var document = JsonDocument.Parse(schemaText);
        return new CompiledEventSchema(topic, document.RootElement.Clone());
    }

    /// <summary>The index of a top-level property, or -1 when the schema does not declare it.</summary>
    public int IndexOf(ReadOnlySpan<char> name) => propertyLookup.TryGetValue(name, out var index) ? index : -1;

    public int IndexOf(string name) => propertyIndex.GetValueOrDefault(name, -1);

    /// <summary>Evaluates the schema against a parsed event; null when it conforms, else the first violation.</summary>
    public Violation? Evaluate(EventFields fields) => Root.EvaluateObject(fields);

    private Node Compile(JsonElement schema, string where)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Unsupported(where, "a schema that is not an object");
        }

        var node = new Node { Description = schema.TryGetProperty("description", out var d) ? d.GetString() : null };
        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    node.Types = value.ValueKind == JsonValueKind.Array
                        ? value.EnumerateArray().Aggregate(JsonTypes.None, (all, t) => all | ParseType(t.GetString(), where))
                        : ParseType(value.GetString(), where);
                    break;
                case "enum":
                    node.Enum = [.. value.EnumerateArray().Select(e => e.Clone())];
                    node.EnumUtf8 = [.. node.Enum.Where(e => e.ValueKind == JsonValueKind.String).Select(e => Encoding.UTF8.GetBytes(e.GetString()!))];
                    break;
                case "minimum":
                    node.Minimum = value.GetDouble();
                    break;
                case "maximum":
                    node.Maximum = value.GetDouble();
                    break;
                case "multipleOf":
                    node.MultipleOf = value.GetDouble();
                    break;
                case "minLength":
                    node.MinLength = value.GetInt32();
                    break;
                case "pattern":
                    node.Pattern = new Regex(value.GetString()!, RegexOptions.CultureInvariant | RegexOptions.Compiled);
                    break;
                case "required":
                    node.Required = [.. value.EnumerateArray().Select(r => (r.GetString()!, IndexOf(r.GetString()!)))];
                    break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.False:
                    node.NoAdditionalProperties = true;
                    break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.True:
                    break;
                case "properties":
                    node.Properties = [.. value.EnumerateObject().Select(p => (IndexOf(p.Name), $"$.{p.Name}", Compile(p.Value, $"{where}/properties/{p.Name}")))];
                    break;
                case "allOf":
                    node.AllOf = CompileList(value, $"{where}/allOf");
                    break;
                case "anyOf":
                    node.AnyOf = CompileList(value, $"{where}/anyOf");
                    break;
                case "oneOf":
                    node.OneOf = CompileList(value, $"{where}/oneOf");
                    break;
                case "not":
                    node.Not = Compile(value, $"{where}/not");
                    break;
                default:
                    if (!Annotations.Contains(keyword.Name))
                    {
                        throw Unsupported(where, $"the keyword '{keyword.Name}'");
                    }

                    break;
            }
        }

        return node;
    }

    private Node[] CompileList(JsonElement list, string where) =>
        [.. list.EnumerateArray().Select((s, i) => Compile(s, $"{where}/{i}"))];

    private InvalidOperationException Unsupported(string where, string what) =>
        new($"The {Topic} schema uses {what} at {where}, which the landing job's fast validator does not implement; extend CompiledEventSchema (and its agreement test with NJsonSchema).");

    private JsonTypes ParseType(string? type, string where) => type switch
    {
        "string" => JsonTypes.String,
        "integer" => JsonTypes.Integer,
        "number" => JsonTypes.Number,
        "boolean" => JsonTypes.Boolean,
        "object" => JsonTypes.Object,
        "array" => JsonTypes.Array,
        "null" => JsonTypes.Null,
        _ => throw Unsupported(where, $"the type '{type}'"),
    };

    [Flags]
    internal enum JsonTypes
    {
        None = 0,
        String = 1,
        Integer = 2,
        Number = 4,
        Boolean = 8,
        Object = 16,
        Array = 32,
        Null = 64,
    }

    /// <summary>One compiled (sub)schema. Keywords absent from the schema stay null.</summary>
    internal sealed class Node
    {
        // What an alternative of anyOf, oneOf or not returns when it does not match: only whether it does is asked, so
        // building the reason (a path, the allowed values) would be work thrown away on nearly every event.
        private static readonly Violation Mismatch = new("mismatch", "$", "an alternative that does not match");

        public string? Description { get; init; }

        public JsonTypes Types { get; set; }

        public JsonElement[]? Enum { get; set; }

        public byte[][]? EnumUtf8 { get; set; }

        public double? Minimum { get; set; }

        public double? Maximum { get; set; }

        public double? MultipleOf { get; set; }

        public int? MinLength { get; set; }

        public Regex? Pattern { get; set; }

        public (string Name, int Index)[]? Required { get; set; }

        public bool NoAdditionalProperties { get; set; }

        /// <summary>The event's properties with their JSON paths, built once: the hot path allocates nothing while a message conforms.</summary>
        public (int Index, string Path, Node Schema)[]? Properties { get; set; }

        public Node[]? AllOf { get; set; }

        public Node[]? AnyOf { get; set; }

        public Node[]? OneOf { get; set; }

        public Node? Not { get; set; }

        private bool HasCombinators => AllOf is not null || AnyOf is not null || OneOf is not null || Not is not null;

        /// <summary>Evaluates this schema against the event object itself (the root, <c>$</c>: event schemas are flat).</summary>
        public Violation? EvaluateObject(EventFields fields, bool describe = true)
        {
            const string path = "$";
            if (Types != JsonTypes.None && (Types & JsonTypes.Object) == 0)
            {
                return describe ? new Violation("type", path, $"must be {Types}, is an object") : Mismatch;
            }

            if (Enum is not null || Minimum is not null || Maximum is not null || MultipleOf is not null || MinLength is not null || Pattern is not null)
            {
                return describe ? new Violation("type", path, "scalar keywords applied to the event object") : Mismatch;
            }

            if (Required is not null)
            {
                foreach (var (name, index) in Required)
                {
                    if (index < 0 || !fields.IsPresent(index))
                    {
                        return describe ? new Violation("required", $"{path}.{name}", "required field is missing") : Mismatch;
                    }
                }
            }

            if (NoAdditionalProperties && fields.UnknownProperty is { } unknown)
            {
                return describe ? new Violation("additionalProperties", $"{path}.{unknown}", "field is not in the schema") : Mismatch;
            }

            if (Properties is not null)
            {
                foreach (var (index, propertyPath, schema) in Properties)
                {
                    if (index >= 0 && fields.IsPresent(index) && schema.EvaluateValue(fields, index, propertyPath, describe) is { } violation)
                    {
                        return violation;
                    }
                }
            }

            return HasCombinators ? EvaluateCombinators(fields, -1, path, describe) : null;
        }

        /// <summary>Evaluates this schema against one field's value.</summary>
        public Violation? EvaluateValue(EventFields fields, int index, string path, bool describe = true)
        {
            ref readonly var value = ref fields.Value(index);
            if (Types != JsonTypes.None && (Types & value.Types) == 0)
            {
                return describe ? new Violation("type", path, $"must be {Describe(Types)}, is {Describe(value.Types)}") : Mismatch;
            }

            if (Enum is not null && !InEnum(fields, in value))
            {
                return describe ? new Violation("enum", path, $"must be one of {string.Join(", ", Enum.Select(e => e.GetRawText()))}") : Mismatch;
            }

            if (value.Kind == JsonTokenType.Number)
            {
                if (value.Number < Minimum)
                {
                    return describe ? new Violation("minimum", path, $"must be >= {Minimum.Value.ToString(CultureInfo.InvariantCulture)}") : Mismatch;
                }

                if (value.Number > Maximum)
                {
                    return describe ? new Violation("maximum", path, $"must be <= {Maximum.Value.ToString(CultureInfo.InvariantCulture)}") : Mismatch;
                }

                if (MultipleOf is { } step && !IsMultiple(in value, step))
                {
                    return describe ? new Violation("multipleOf", path, $"must be a multiple of {step.ToString(CultureInfo.InvariantCulture)}") : Mismatch;
                }
            }

            if (value.Kind == JsonTokenType.String && (Pattern is not null || MinLength > MinimumCharsOf(in value)))
            {
                var text = fields.CharsOf(index);
                if (text.Length < MinLength)
                {
                    return describe ? new Violation("minLength", path, $"must have at least {MinLength} characters") : Mismatch;
                }

                if (Pattern is not null && !Pattern.IsMatch(text))
                {
                    return describe ? new Violation("pattern", path, $"must match {Pattern}") : Mismatch;
                }
            }

            if (Required is not null || NoAdditionalProperties || Properties is not null)
            {
                // Object keywords apply only to object values, which the flat event schemas never allow.
                return value.Kind == JsonTokenType.StartObject ? new Violation("type", path, "nested objects are not supported") : null;
            }

            return HasCombinators ? EvaluateCombinators(fields, index, path, describe) : null;
        }

        /// <summary>A subschema applies to the same instance: the object (<paramref name="index"/> -1) or one field.</summary>
        private static Violation? Evaluate(Node schema, EventFields fields, int index, string path, bool describe) =>
            index < 0 ? schema.EvaluateObject(fields, describe) : schema.EvaluateValue(fields, index, path, describe);

        private Violation? EvaluateCombinators(EventFields fields, int index, string path, bool describe)
        {
            if (AllOf is not null)
            {
                foreach (var schema in AllOf)
                {
                    if (Evaluate(schema, fields, index, path, describe) is { } violation)
                    {
                        return violation;
                    }
                }
            }

            if (AnyOf is not null && !MatchesAny(AnyOf, fields, index, path))
            {
                if (!describe)
                {
                    return Mismatch;
                }

                // The first alternative's reason is usually the telling one (e.g. which field of a group is missing).
                var first = Evaluate(AnyOf[0], fields, index, path, describe: true)!;
                return describe ? new Violation("anyOf", first.Path, Description ?? $"matches none of the alternatives ({first.Detail})") : Mismatch;
            }

            if (OneOf is not null && Matching(OneOf, fields, index, path) != 1)
            {
                return describe ? new Violation("oneOf", path, Description ?? "must match exactly one alternative") : Mismatch;
            }

            if (Not is not null && Evaluate(Not, fields, index, path, describe: false) is null)
            {
                return describe ? new Violation("not", path, Description ?? "matches a schema it must not match") : Mismatch;
            }

            return null;
        }

        // Loops, not LINQ: a lambda capturing the parameters would allocate a closure on every call, even when unused.
        private static bool MatchesAny(Node[] alternatives, EventFields fields, int index, string path)
        {
            foreach (var alternative in alternatives)
            {
                if (Evaluate(alternative, fields, index, path, describe: false) is null)
                {
                    return true;
                }
            }

            return false;
        }

        private static int Matching(Node[] alternatives, EventFields fields, int index, string path)
        {
            var matching = 0;
            foreach (var alternative in alternatives)
            {
                if (Evaluate(alternative, fields, index, path, describe: false) is null)
                {
                    matching++;
                }
            }

            return matching;
        }

        private bool InEnum(EventFields fields, in FieldValue value)
        {
            if (value.Kind == JsonTokenType.String)
            {
                var utf8 = fields.Utf8Of(in value);
                foreach (var candidate in EnumUtf8!)
                {
                    if (utf8.SequenceEqual(candidate))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (value.Kind == JsonTokenType.Number)
            {
                foreach (var candidate in Enum!)
                {
                    if (candidate.ValueKind == JsonValueKind.Number && candidate.GetDouble() == value.Number)
                    {
                        return true;
                    }
                }

                return false;
            }

            return InLiteralEnum(Enum!, value.Kind);
        }

        // Apart from InEnum: a lambda capturing a local of InEnum's outer scope would allocate on every call.
        private static bool InLiteralEnum(JsonElement[] candidates, JsonTokenType kind) => candidates.Any(e => e.ValueKind switch
        {
            JsonValueKind.True => kind == JsonTokenType.True,
            JsonValueKind.False => kind == JsonTokenType.False,
            JsonValueKind.Null => kind == JsonTokenType.Null,
            _ => false,
        });

        // An integer that fits a long, against a whole step, is decided exactly in integers (and skips fmod, which costs
        // more than the other keywords of a field); a larger one was read as a double only.
        private static bool IsMultiple(in FieldValue value, double step) =>
            value.Types.HasFlag(JsonTypes.Integer) && value.Number == value.Integer && step >= 1 && step <= long.MaxValue && step == Math.Floor(step)
                ? value.Integer % (long)step == 0
                : Math.Abs(Math.IEEERemainder(value.Number, step)) <= 1e-9 * Math.Max(1, step);

        // A lower bound on a string's length in UTF-16 units without decoding it: UTF-8 spends at most 3 bytes on one.
        private static int MinimumCharsOf(in FieldValue value) => value.HasEscapes ? 0 : value.Length / 3;

        private static string Describe(JsonTypes types) => types.ToString().ToLowerInvariant();
    }
}

/// <summary>Why a message failed a schema or semantic rule, and where: <see cref="Path"/> is a JSON path such as <c>$.duration</c>.</summary>
internal sealed record Violation(string Keyword, string Path, string Detail);
