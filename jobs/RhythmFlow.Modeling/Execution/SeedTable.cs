using System.Globalization;
using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Modeling.Jinja;
using RhythmFlow.Modeling.Project;

namespace RhythmFlow.Modeling.Execution;

/// <summary>A seed CSV with column types inferred as dbt's agate does (integer, numeric, boolean, else text), or from column_types.</summary>
internal sealed record SeedTable(IReadOnlyList<(string Name, string SqlType)> Columns, IReadOnlyList<string?[]> Rows)
{
    public static SeedTable Read(string path, DbtNode node)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            throw new UsageException($"{node.OriginalFilePath}: the seed is empty.", "Add a header row.");
        }

        var header = Split(lines[0]);
        var rows = lines.Skip(1).Select((line, index) =>
        {
            var cells = Split(line);
            return cells.Length == header.Length
                ? cells.Select(c => c.Length == 0 ? null : c).ToArray()
                : throw new UsageException($"{node.OriginalFilePath}:{index + 2}: {cells.Length} values for {header.Length} columns.", "Quote values that contain commas.");
        }).ToList();
        var overrides = node.Config.GetValueOrDefault("column_types") as Dictionary<string, object?>;
        var columns = header.Select((name, i) => (name, overrides?.GetValueOrDefault(name) is { } type ? JinjaValues.ToText(type) : Infer(rows.Select(r => r[i])))).ToList();
        return new SeedTable(columns, rows);
    }

    private static string Infer(IEnumerable<string?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        if (present.Count == 0)
        {
            return "text";
        }

        if (present.All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            return "integer";
        }

        if (present.All(v => decimal.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return "numeric";
        }

        return present.All(v => v is "true" or "false" or "True" or "False") ? "boolean" : "text";
    }

    private static string[] Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (c != '\r')
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }
}
