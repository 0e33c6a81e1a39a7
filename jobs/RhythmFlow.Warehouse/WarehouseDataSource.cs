using Npgsql;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Warehouse;

/// <summary>
/// The one way components reach "the warehouse": the configured connection string when there is one, else the
/// embedded instance, started on demand. Either way the migrations are applied before the data source is returned.
/// </summary>
public static class WarehouseDataSource
{
    public static async Task<NpgsqlDataSource> OpenAsync(
        WarehouseOptions options, string workDir, ILogger logger, CancellationToken cancellationToken)
    {
        var connectionString = await ResolveConnectionStringAsync(options, workDir, logger, cancellationToken);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            await Migrator.MigrateAsync(dataSource, logger, cancellationToken);
            return dataSource;
        }
        catch (NpgsqlException ex)
        {
            await dataSource.DisposeAsync();
            throw new RhythmFlowException(
                $"Could not reach the warehouse at {Describe(connectionString)}: {ex.Message}",
                "Check that PostgreSQL runs there and that the connection string (Warehouse:ConnectionString, --warehouse) is right.",
                ex);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    /// <summary>The configured connection string, or the embedded instance's (starting it when it is not running).</summary>
    public static async Task<string> ResolveConnectionStringAsync(
        WarehouseOptions options, string workDir, ILogger logger, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(
                    $"Setting 'Warehouse:ConnectionString' is not a valid PostgreSQL connection string: {ex.Message}",
                    "Use the form Host=...;Port=5432;Username=...;Password=...;Database=...");
            }

            logger.Debug("Using the configured warehouse {Warehouse}", Describe(options.ConnectionString));
            return options.ConnectionString;
        }

        var instance = await new EmbeddedPostgres(options, workDir, logger).StartAsync(cancellationToken);
        return instance.ConnectionString;
    }

    /// <summary>Host, port, database and user of a connection string, for logs and messages; never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
