using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace RhythmFlow.Quality.Sql;

/// <summary>
/// A SQL statement under construction: text with positional placeholders and the values bound to them.
/// Values are never spliced into the text; identifiers enter only through <see cref="SqlNames.Quote"/>.
/// </summary>
internal sealed class SqlText
{
    private readonly StringBuilder _text = new();
    private readonly List<NpgsqlParameter> _parameters = [];

    public SqlText Append(string sql)
    {
        _text.Append(sql);
        return this;
    }

    /// <summary>Appends a placeholder for <paramref name="value"/> and binds it.</summary>
    public SqlText Bind(object? value)
    {
        _parameters.Add(ToParameter(value));
        _text.Append('$').Append(_parameters.Count);
        return this;
    }

    public string Text => _text.ToString();

    public NpgsqlCommand CreateCommand(NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(Text, connection);
        foreach (var parameter in _parameters)
        {
            command.Parameters.Add(parameter.Clone());
        }

        return command;
    }

    private static NpgsqlParameter ToParameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown },
        // Strings go untyped so PostgreSQL reads them as the compared column's type (text, timestamptz, date, ...),
        // the way GX compares a suite's literal against the column it names.
        string s => new NpgsqlParameter { Value = s, NpgsqlDbType = NpgsqlDbType.Unknown },
        double d => new NpgsqlParameter { Value = (decimal)d, NpgsqlDbType = NpgsqlDbType.Numeric },
        long l => new NpgsqlParameter { Value = l, NpgsqlDbType = NpgsqlDbType.Bigint },
        bool b => new NpgsqlParameter { Value = b, NpgsqlDbType = NpgsqlDbType.Boolean },
        DateTimeOffset t => new NpgsqlParameter { Value = t.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name} as a SQL parameter.", nameof(value)),
    };
}
