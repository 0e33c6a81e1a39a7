using System.CommandLine;
using RhythmFlow.Dashboard;

namespace RhythmFlow.Cli.Commands;

/// <summary><c>rhythmflow dashboard [--port N]</c>: serves the built-in dashboard over the warehouse marts until Ctrl+C.</summary>
internal static class DashboardCommands
{
    public static IEnumerable<Command> Create()
    {
        var port = new Option<int?>("--port")
        {
            Description = "Port on 127.0.0.1 (setting Dashboard:Port, default 8050; 0 picks a free port).",
        };
        return
        [
            new Command(
                "dashboard",
                "Serve the dashboard (streams, users, top songs and artists, a US map, hourly activity, conversion and churn) "
                + "from the warehouse marts on http://127.0.0.1; runs until Ctrl+C. Build the marts first (rhythmflow demo or rhythmflow model build).")
            {
                port,
            }
            .WithWarehouseOption()
            .WithAction(async (parseResult, context, cancellationToken) =>
            {
                var options = context.Bind<DashboardOptions>("Dashboard", o =>
                {
                    if (parseResult.GetValue(port) is { } value)
                    {
                        o.Port = value;
                    }
                });
                await using var warehouse = await WarehouseCli.OpenAsync(parseResult, context, cancellationToken);
                await using var server = await DashboardServer.StartAsync(options, warehouse, context.Logger, cancellationToken);
                await Console.Out.WriteLineAsync($"dashboard: {server.Url}  (Ctrl+C to stop)");
                await server.WaitForShutdownAsync(cancellationToken);
                return 0;
            }),
        ];
    }
}
