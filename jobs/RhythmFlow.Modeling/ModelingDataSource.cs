using Npgsql;

namespace RhythmFlow.Modeling;

/// <summary>Connections for model builds: the session runs in UTC so dates and hour truncation of timestamptz are UTC ones.</summary>
public static class ModelingDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timezone = "UTC", CommandTimeout = 0 };
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}
