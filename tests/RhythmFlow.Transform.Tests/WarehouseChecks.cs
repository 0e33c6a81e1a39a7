using Dapper;
using Npgsql;
using RhythmFlow.Contracts;

namespace RhythmFlow.Transform.Tests;

/// <summary>What tests read back from the raw layer.</summary>
internal static class WarehouseChecks
{
    /// <summary>
    /// An md5 over every raw table's rows in event-identity order (then by the row's text, as different hours can hold
    /// the same identity): equal checksums, identical tables, however their partitions store the rows.
    /// </summary>
    public static async Task<string> ChecksumAsync(NpgsqlDataSource warehouse)
    {
        await using var connection = await warehouse.OpenConnectionAsync();
        var parts = new List<string>();
        foreach (var topic in Topics.All)
        {
            parts.Add(await connection.ExecuteScalarAsync<string>(
                $"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY session_id, item_in_session, t::text)), '') || ':' || count(*) FROM raw.{topic} t") ?? string.Empty);
        }

        return string.Join(' ', parts);
    }

    public static async Task<long> CountAsync(NpgsqlDataSource warehouse, string topic, DateTimeOffset hour)
    {
        await using var connection = await warehouse.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM raw.{topic} WHERE ts >= @start AND ts < @end",
            new { start = hour.UtcDateTime, end = hour.AddHours(1).UtcDateTime });
    }

    public static async Task<long> DuplicateIdentitiesAsync(NpgsqlDataSource warehouse, string topic)
    {
        await using var connection = await warehouse.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM (SELECT 1 FROM raw.{topic} GROUP BY session_id, item_in_session HAVING count(*) > 1) d");
    }

    /// <summary>The landing batches the rows of an hour came from, in order.</summary>
    public static async Task<List<string>> BatchesOfHourAsync(NpgsqlDataSource warehouse, string topic, DateTimeOffset hour)
    {
        await using var connection = await warehouse.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(
            $"SELECT DISTINCT landing_batch_id FROM raw.{topic} WHERE ts >= @start AND ts < @end ORDER BY 1",
            new { start = hour.UtcDateTime, end = hour.AddHours(1).UtcDateTime })];
    }

    /// <summary>Inserts a row into <c>raw.&lt;topic&gt;</c> directly, as a tool or a test might.</summary>
    public static async Task InsertAsync(NpgsqlDataSource warehouse, string topic, object?[] row)
    {
        var columns = LakeSchema.ColumnsOf(topic);
        await using var command = warehouse.CreateCommand(
            $"INSERT INTO raw.{topic} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))})");
        foreach (var value in row)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        await command.ExecuteNonQueryAsync();
    }
}
