using System.Text.RegularExpressions;
using RhythmFlow.Contracts;

namespace RhythmFlow.Warehouse;

/// <summary>
/// Identifiers (schema, table, column, topic) that reach SQL text. Values never do: they are always parameters.
/// Only lower-case snake_case names pass, which is every name RhythmFlow creates, and they are quoted anyway.
/// </summary>
public static partial class SqlIdentifier
{
    /// <summary>Returns <paramref name="name"/> when it is a safe identifier, else throws naming <paramref name="what"/>.</summary>
    public static string Require(string name, string what)
    {
        if (name is null || !Pattern().IsMatch(name))
        {
            throw new UsageException(
                $"{what} '{name}' is not a valid SQL identifier.",
                "Use lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters.");
        }

        return name;
    }

    /// <summary>The identifier validated and double-quoted for SQL text.</summary>
    public static string Quote(string name, string what = "Identifier") => $"\"{Require(name, what)}\"";

    /// <summary>A validated, quoted <c>schema.table</c>.</summary>
    public static string Qualified(string schema, string table) => $"{Quote(schema, "Schema")}.{Quote(table, "Table")}";

    /// <summary>The <c>raw</c> table of a topic; the topic must be one of <see cref="Topics.All"/>.</summary>
    public static string RawTable(string topic)
    {
        if (!Topics.IsKnown(topic))
        {
            throw new UsageException($"Unknown topic '{topic}'.", $"Use one of: {string.Join(", ", Topics.All)}.");
        }

        return Qualified(WarehouseSchemas.Raw, topic);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>The warehouse's schemas.</summary>
public static class WarehouseSchemas
{
    /// <summary>One table per topic, loaded by the hourly transform.</summary>
    public const string Raw = "raw";

    /// <summary>The partitions of the raw tables: one per topic and event hour, plus each topic's default partition.</summary>
    public const string RawHours = "raw_hours";

    /// <summary>The platform's own state: migrations, and the lake batches each hour was built from.</summary>
    public const string Platform = "rhythmflow";
}
