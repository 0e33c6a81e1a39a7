using System.CommandLine;
using RhythmFlow.Cli.Commands;
using RhythmFlow.Contracts;

namespace RhythmFlow.Cli;

/// <summary>Builds the verb tree and turns failures into clear messages and exit codes.</summary>
public static class RhythmFlowCli
{
    /// <summary>Exit code for bad input: a bad option, setting or file.</summary>
    public const int UsageError = 2;

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "RhythmFlow: a batch-first data platform for music-streaming analytics. " +
            "Each verb is one pipeline step; the Airflow DAGs run the same verbs.");
        GlobalOptions.AddTo(root);
        foreach (var command in CommandCatalog.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(CommandsCommand.Create(root));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRootCommand();
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // System.CommandLine reports parse errors with exit code 1; bad input is exit code 2 everywhere else.
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync($"hint: run 'rhythmflow {string.Join(' ', CommandPath(parseResult))} --help' for the verb's options.");
            return UsageError;
        }

        return await parseResult.InvokeAsync(new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,

            // On SIGTERM/SIGINT a verb gets this long to finish gracefully (land commits its open batch) before the
            // process exits anyway; System.CommandLine's 2 s default cut batches short, and Kubernetes allows 30 s.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(25),
        });
    }

    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }

        return names;
    }

    /// <summary>Runs a verb's body with a context, mapping user-facing failures to messages instead of stack traces.</summary>
    internal static Command WithAction(this Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = CliContext.Create(parseResult);
            try
            {
                return await action(parseResult, context, cancellationToken);
            }
            catch (InvalidSettingException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return UsageError;
            }
            catch (RhythmFlowException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                if (ex.Hint is not null)
                {
                    await Console.Error.WriteLineAsync($"hint: {ex.Hint}");
                }

                return ex is UsageException ? UsageError : 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("interrupted");
                return 130;
            }
        });
        return command;
    }
}
