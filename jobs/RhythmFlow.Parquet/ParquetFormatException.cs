namespace RhythmFlow.Parquet;

/// <summary>
/// The bytes are not a valid Parquet file (or use a feature this codec does not read). The message names the
/// file, and where known the row group, the column and the byte offset, so a corrupt file can be found and inspected.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    public ParquetFormatException(string message, string? file = null, int? rowGroup = null, string? column = null, long? offset = null, Exception? inner = null)
        : base(Describe(message, file, rowGroup, column, offset), inner)
    {
        Reason = message;
        File = file;
        RowGroup = rowGroup;
        Column = column;
        Offset = offset;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    public string? File { get; }

    public int? RowGroup { get; }

    public string? Column { get; }

    public long? Offset { get; }

    /// <summary>Adds the location a low-level decoder could not know; keeps what it did know.</summary>
    public ParquetFormatException WithContext(string? file, int? rowGroup, string? column, long? offset = null) =>
        new(Reason, File ?? file, RowGroup ?? rowGroup, Column ?? column, Offset ?? offset, this);

    private static string Describe(string message, string? file, int? rowGroup, string? column, long? offset)
    {
        var where = new List<string>(4);
        if (file is not null)
        {
            where.Add($"file '{file}'");
        }

        if (rowGroup is not null)
        {
            where.Add($"row group {rowGroup}");
        }

        if (column is not null)
        {
            where.Add($"column '{column}'");
        }

        if (offset is not null)
        {
            where.Add($"byte offset {offset}");
        }

        return where.Count == 0 ? message : $"{message} ({string.Join(", ", where)})";
    }
}
