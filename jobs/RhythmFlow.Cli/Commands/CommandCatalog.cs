using System.CommandLine;

namespace RhythmFlow.Cli.Commands;

/// <summary>Every verb of the CLI, one factory per component, in the order the pipeline runs them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create() =>
    [
        .. SimulateCommands.Create(),
        .. KafkaCommands.Create(),
        .. LandingCommands.Create(),
        .. WarehouseCommands.Create(),
        .. TransformCommands.Create(),
        .. ModelCommands.Create(),
        .. ValidateCommands.Create(),
        .. DashboardCommands.Create(),
        .. OrchestrationCommands.Create(),
        .. ParquetCommands.Create(),
    ];
}
