using Npgsql;
using RhythmFlow.Contracts;

namespace RhythmFlow.Modeling.Tests;

/// <summary>
/// Writes crafted eventsim-shaped rows into the warehouse's raw tables, the way the transform would: every page
/// view, plus a listen for NextSong, a status change for Submit Upgrade/Downgrade, and an auth event after Login.
/// </summary>
internal sealed class RawEvents
{
    private readonly List<(string Topic, Dictionary<string, object?> Row)> _rows = [];
    private long _offset;

    public sealed record User(long Id, string FirstName, string LastName, string Gender, string City, string Zip, string State, DateTimeOffset Registration);

    /// <summary>One session of a logged-in user: each page at the given minute after start, at the given level.</summary>
    public RawEvents Session(User user, long sessionId, DateTimeOffset start, params (int Minute, string Page, string Level, string? Artist, string? Song)[] pages)
    {
        for (var item = 0; item < pages.Length; item++)
        {
            var (minute, page, level, artist, song) = pages[item];
            var ts = start.AddMinutes(minute);
            var common = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["ts"] = ts,
                ["session_id"] = sessionId,
                ["level"] = level,
                ["item_in_session"] = item,
                ["city"] = user.City,
                ["zip"] = user.Zip,
                ["state"] = user.State,
                ["user_agent"] = "\"Mozilla/5.0\"",
                ["lon"] = -77.0,
                ["lat"] = 38.9,
                ["user_id"] = user.Id,
                ["last_name"] = user.LastName,
                ["first_name"] = user.FirstName,
                ["gender"] = user.Gender,
                ["registration"] = user.Registration,
            };
            var pageView = new Dictionary<string, object?>(common, StringComparer.Ordinal)
            {
                ["page"] = page,
                ["auth"] = "Logged In",
                ["method"] = page.StartsWith("Submit", StringComparison.Ordinal) ? "PUT" : "GET",
                ["status"] = 200,
                ["artist"] = artist,
                ["song"] = song,
                ["duration"] = artist is null ? null : 200.5,
            };
            Add(Topics.PageView, pageView, ts);
            if (page == "NextSong")
            {
                Add(Topics.Listen, new Dictionary<string, object?>(pageView, StringComparer.Ordinal), ts);
            }

            if (page is "Submit Upgrade" or "Submit Downgrade")
            {
                Add(Topics.StatusChange, new Dictionary<string, object?>(common, StringComparer.Ordinal) { ["auth"] = "Logged In" }, ts);
            }

            if (item > 0 && pages[item - 1].Page == "Login")
            {
                Add(Topics.Auth, new Dictionary<string, object?>(common, StringComparer.Ordinal) { ["success"] = true }, ts);
            }
        }

        return this;
    }

    private void Add(string topic, Dictionary<string, object?> row, DateTimeOffset ts)
    {
        row[LakeSchema.KafkaTopic] = topic;
        row[LakeSchema.KafkaPartition] = 0;
        row[LakeSchema.KafkaOffset] = _offset++;
        row[LakeSchema.KafkaTimestamp] = ts.AddSeconds(30);
        row[LakeSchema.LandingBatchId] = "test";
        _rows.Add((topic, row));
    }

    /// <summary>Inserts the rows collected so far and forgets them.</summary>
    public async Task WriteAsync(NpgsqlDataSource dataSource)
    {
        foreach (var group in _rows.GroupBy(r => r.Topic))
        {
            var columns = LakeSchema.ColumnsOf(group.Key);
            foreach (var (_, row) in group)
            {
                await using var command = dataSource.CreateCommand(
                    $"insert into raw.{group.Key} ({string.Join(", ", columns.Select(c => c.Name))}) values ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))})");
                foreach (var column in columns)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = row.GetValueOrDefault(column.Name) ?? DBNull.Value });
                }

                await command.ExecuteNonQueryAsync();
            }
        }

        _rows.Clear();
    }
}
