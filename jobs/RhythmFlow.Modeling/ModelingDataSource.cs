using Npgsql;

namespace RhythmFlow.Modeling;

/// <summary>
/// Connections for model builds: the session runs in UTC so dates and hour truncation of timestamptz are UTC ones, and
/// without JIT compilation. An hourly build's queries read a few hours, but the planner prices them over every hourly
/// partition they might read (pruning happens at run time), so as history grows each one crosses jit_above_cost (one
/// day of 100,000 users already did) and spends 0.5 to 1 s compiling, several times the query itself. A connection
/// string whose Options set jit keeps its own choice.
/// </summary>
public static class ModelingDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timezone = "UTC", CommandTimeout = 0 };
        if (builder.Options?.Contains("jit", StringComparison.Ordinal) != true)
        {
            builder.Options = $"{builder.Options} -c jit=off".TrimStart();
        }

        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}
