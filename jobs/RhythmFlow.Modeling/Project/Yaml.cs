using System.Globalization;
using RhythmFlow.Contracts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RhythmFlow.Modeling.Project;

/// <summary>Reads YAML into plain values (dictionaries, lists, strings, longs, doubles, bools, null) with YAML's core schema typing.</summary>
internal static class Yaml
{
    public static Dictionary<string, object?> LoadFile(string path)
    {
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(path);
            stream.Load(reader);
            if (stream.Documents.Count == 0)
            {
                return new(StringComparer.Ordinal);
            }

            return Convert(stream.Documents[0].RootNode) as Dictionary<string, object?>
                ?? throw new UsageException($"{path}: the YAML document must be a mapping.", "See docs/dbt.md for the file layout.");
        }
        catch (YamlException ex)
        {
            throw new UsageException($"{path}:{ex.Start.Line}: invalid YAML: {ex.InnerException?.Message ?? ex.Message}", "Fix the YAML syntax at that line.", ex);
        }
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value ?? string.Empty, kv => Convert(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsDigit) => d,
            _ => text,
        };
    }

    public static Dictionary<string, object?>? Map(object? value) => value as Dictionary<string, object?>;

    public static List<object?> List(object? value) => value as List<object?> ?? [];

    public static string? String(Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) && value is not null ? Jinja.JinjaValues.ToText(value) : null;
}
