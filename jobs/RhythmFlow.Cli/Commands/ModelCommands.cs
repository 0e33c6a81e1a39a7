using System.CommandLine;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Modeling;
using RhythmFlow.Modeling.Execution;
using RhythmFlow.Modeling.Project;
using RhythmFlow.Warehouse;

namespace RhythmFlow.Cli.Commands;

/// <summary><c>rhythmflow model build|run|test|seed|compile|ls</c>: the dbt project built by the dbt-compatible runner.</summary>
internal static class ModelCommands
{
    private static readonly Option<string?> ProjectDir = new("--project-dir")
    {
        Description = "Folder holding dbt_project.yml (setting Modeling:ProjectDir; default ./dbt, else the dbt/ folder of the installation).",
    };

    private static readonly Option<string?> ProfilesDir = new("--profiles-dir")
    {
        Description = "Folder holding profiles.yml (default: the project folder).",
    };

    private static readonly Option<string?> TargetName = new("--target", "-t")
    {
        Description = "Profile target: local (PostgreSQL, the default) or prod (BigQuery; compile and ls only).",
    };

    private static readonly Option<string[]> Select = new("--select", "-s")
    {
        Description = "dbt node selection: names, +graph operators, path:, tag:, source:; space-separated = union, comma = intersection.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string[]> Exclude = new("--exclude")
    {
        Description = "Nodes to leave out, in the --select syntax.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<bool> FullRefresh = new("--full-refresh")
    {
        Description = "Rebuild incremental models from scratch and reload seeds from an empty table.",
    };

    private static readonly Option<string?> Vars = new("--vars")
    {
        Description = "Project variables as a YAML/JSON mapping, e.g. '{lookback_hours: 6}'.",
    };

    public static IEnumerable<Command> Create()
    {
        var model = new Command("model", "Build the dbt project (dbt/) on the warehouse with the dbt-compatible runner.");
        model.Subcommands.Add(Verb("build", "Seed, run and test the selected nodes in DAG order; a failing error test skips its model's children.", ModelCommand.Build));
        model.Subcommands.Add(Verb("run", "Build the selected models (views, tables, incremental, ephemeral).", ModelCommand.Run));
        model.Subcommands.Add(Verb("test", "Run the selected generic and singular data tests.", ModelCommand.Test));
        model.Subcommands.Add(Verb("seed", "Load the seed CSV files into tables.", ModelCommand.Seed));
        model.Subcommands.Add(Verb("compile", "Render the selected nodes' SQL into target/compiled/ without running it.", ModelCommand.Compile));
        model.Subcommands.Add(Verb("ls", "List the selected nodes by their fully qualified names.", ModelCommand.Ls));
        return [model];
    }

    private static Command Verb(string name, string description, ModelCommand kind)
    {
        var command = new Command(name, description) { ProjectDir, ProfilesDir, TargetName, Select, Exclude, Vars };
        if (kind is ModelCommand.Build or ModelCommand.Run or ModelCommand.Seed or ModelCommand.Compile)
        {
            command.Options.Add(FullRefresh);
        }

        if (kind != ModelCommand.Ls)
        {
            command.WithWarehouseOption();
        }

        return command.WithAction((parseResult, context, cancellationToken) => RunAsync(parseResult, context, kind, cancellationToken));
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CliContext context, ModelCommand kind, CancellationToken cancellationToken)
    {
        var projectDir = ResolveProjectDir(parseResult.GetValue(ProjectDir) ?? context.Configuration["Modeling:ProjectDir"]);
        var vars = ParseVars(parseResult.GetValue(Vars));
        var targetName = parseResult.GetValue(TargetName);
        var usesWarehouse = kind != ModelCommand.Ls && (targetName ?? "local") != "prod";
        string? connectionString = null;
        NpgsqlDataSource? dataSource = null;
        if (usesWarehouse)
        {
            // Migrations first (raw schema and the platform's own state), then a UTC session for the models.
            await using (await WarehouseCli.OpenAsync(parseResult, context, cancellationToken))
            {
                // The data source hides the password; the resolved string (the same running instance) keeps it.
                connectionString = await WarehouseDataSource.ResolveConnectionStringAsync(
                    WarehouseCli.Options(parseResult, context), context.WorkDir, context.Logger, cancellationToken);
            }

            dataSource = ModelingDataSource.Create(connectionString);
        }

        try
        {
            var connection = connectionString is null ? null : new NpgsqlConnectionStringBuilder(connectionString);
            var project = DbtProject.Load(new ProjectLoadOptions(projectDir, parseResult.GetValue(ProfilesDir), targetName, vars)
            {
                // profiles.yml's local target reads these; the runner fills them from the warehouse it connects to.
                Environment = name => name switch
                {
                    "RHYTHMFLOW_PG_HOST" when connection is not null => connection.Host,
                    "RHYTHMFLOW_PG_PORT" when connection is not null => connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "RHYTHMFLOW_PG_USER" when connection is not null => connection.Username,
                    "RHYTHMFLOW_PG_DATABASE" when connection is not null => connection.Database,
                    _ => Environment.GetEnvironmentVariable(name),
                },
            });
            if (dataSource is not null && project.Target.Type != "postgres")
            {
                throw new UsageException(
                    $"Target '{project.Target.Name}' is {project.Target.Type}; the runner builds on PostgreSQL only.",
                    "Use --target local, or run 'model compile --target prod' / 'model ls' for the cloud target.");
            }

            var request = new RunRequest(kind, parseResult.GetValue(Select) ?? [], parseResult.GetValue(Exclude) ?? [], parseResult.GetValue(FullRefresh));
            var runner = new ModelRunner(project, kind == ModelCommand.Compile && project.Target.Type != "postgres" ? null : dataSource, Console.Out, context.Logger, context.Time);
            var outcome = await runner.RunAsync(request, cancellationToken);
            return outcome.Success ? 0 : 1;
        }
        finally
        {
            if (dataSource is not null)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    private static string ResolveProjectDir(string? configured)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (File.Exists(Path.Combine("dbt", "dbt_project.yml")))
        {
            return "dbt";
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "dbt", "dbt_project.yml")))
            {
                return Path.Combine(dir.FullName, "dbt");
            }
        }

        throw new UsageException("No dbt project found (looked for ./dbt/dbt_project.yml and above the installation).", "Pass --project-dir with the dbt project folder.");
    }

    private static Dictionary<string, object?> ParseVars(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            var value = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(text);
            return value.ToDictionary(kv => kv.Key, kv => (object?)(kv.Value is string s && long.TryParse(s, out var n) ? n : kv.Value), StringComparer.Ordinal);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new UsageException($"--vars is not a YAML mapping: {ex.Message}", "Write it like '{lookback_hours: 6, top_n: 10}'.");
        }
    }
}
