using System.Text.RegularExpressions;

namespace RhythmFlow.Quality.Sql;

/// <summary>Identifiers that reach SQL text: checked against a strict pattern, then double-quoted.</summary>
internal static partial class SqlNames
{
    public static bool IsValid(string name) => IdentifierPattern().IsMatch(name);

    /// <summary>Quotes a validated identifier; throws for anything that is not a plain snake_case name.</summary>
    public static string Quote(string name) =>
        IsValid(name)
            ? "\"" + name + "\""
            : throw new ArgumentException($"'{name}' is not a valid SQL identifier; use lower-case letters, digits and '_'.", nameof(name));

    /// <summary>Splits <c>schema.table</c> into its validated parts.</summary>
    public static (string Schema, string Table) ParseQualified(string qualified)
    {
        var parts = qualified.Split('.');
        if (parts.Length != 2 || !IsValid(parts[0]) || !IsValid(parts[1]))
        {
            throw new ArgumentException(
                $"'{qualified}' is not a SCHEMA.TABLE name; use lower-case letters, digits and '_' on each side of one dot, e.g. raw.listen_events.",
                nameof(qualified));
        }

        return (parts[0], parts[1]);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
