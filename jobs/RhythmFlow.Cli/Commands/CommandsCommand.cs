using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;

namespace RhythmFlow.Cli.Commands;

/// <summary>
/// <c>rhythmflow commands --json</c>: the verb tree with every option, the contract that the DAG tests check
/// each task's command line against.
/// </summary>
internal static class CommandsCommand
{
    public static Command Create(RootCommand root)
    {
        var json = new Option<bool>("--json") { Description = "Print as JSON (the default prints one verb per line)." };
        var command = new Command("commands", "List every verb and its options.") { json };
        command.SetAction(parseResult =>
        {
            var verbs = Describe(root, []).ToList();
            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { verbs }, SerializerOptions));
            }
            else
            {
                foreach (var verb in verbs)
                {
                    Console.Out.WriteLine($"{verb.Verb,-28} {verb.Description}");
                }
            }

            return 0;
        });
        return command;
    }

    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private static IEnumerable<VerbDescription> Describe(Command command, IReadOnlyList<Option> inherited)
    {
        var recursive = inherited.Concat(command.Options.Where(o => o.Recursive)).ToList();
        foreach (var sub in command.Subcommands)
        {
            if (sub.Action is not null)
            {
                yield return new VerbDescription(
                    FullName(sub),
                    sub.Description ?? string.Empty,
                    [.. recursive.Concat(sub.Options).Where(o => o is not HelpOption).Select(Describe)]);
            }

            foreach (var nested in Describe(sub, recursive))
            {
                yield return nested;
            }
        }
    }

    private static string FullName(Command command)
    {
        var names = new List<string>();
        for (var current = command; current is not null and not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, current.Name);
        }

        return string.Join(' ', names);
    }

    private static OptionDescription Describe(Option option) => new(
        option.Name,
        [.. option.Aliases],
        option.ValueType == typeof(bool) ? "flag" : option.ValueType.Name.ToLowerInvariant(),
        option.Required,
        option.Description ?? string.Empty);

    private sealed record VerbDescription(string Verb, string Description, IReadOnlyList<OptionDescription> Options);

    private sealed record OptionDescription(string Name, IReadOnlyList<string> Aliases, string Type, bool Required, string Description);
}
