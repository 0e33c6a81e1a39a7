using Npgsql;
using NpgsqlTypes;
using RhythmFlow.Contracts;
using RhythmFlow.Parquet;
using RhythmFlow.Parquet.Reading;

namespace RhythmFlow.Transform;

/// <summary>
/// Streams decoded Parquet row groups of one topic into a binary COPY, column types mapped as the raw tables
/// declare them (LakeSchema): no per-row objects beyond the strings Npgsql needs.
/// </summary>
internal sealed class RawRowCopier
{
    private readonly IReadOnlyList<LakeColumn> _columns;

    public RawRowCopier(string topic)
    {
        Topic = topic;
        _columns = LakeSchema.ColumnsOf(topic);
    }

    public string Topic { get; }

    /// <summary>The columns to read from each file (projection) and to COPY, in raw-table order.</summary>
    public IReadOnlyList<string> ColumnNames => [.. _columns.Select(c => c.Name)];

    /// <summary>Checks a file's schema can feed the raw table; the message names the column and what was wrong.</summary>
    public static string? Incompatibility(LakeColumn expected, ParquetColumn? actual) => actual switch
    {
        null => $"column '{expected.Name}' is missing",
        _ when actual.PhysicalType != PhysicalTypeOf(expected.Type) =>
            $"column '{expected.Name}' is {actual.PhysicalType}, expected {PhysicalTypeOf(expected.Type)}",
        _ when expected.Type == LakeColumnType.TimestampMillis && actual.LogicalType.Kind != ParquetLogicalKind.Timestamp =>
            $"column '{expected.Name}' is not a timestamp",
        _ => null,
    };

    /// <summary>Writes every row of <paramref name="rowGroup"/>; returns how many.</summary>
    /// <remarks>
    /// Synchronous on purpose: writes fill Npgsql's buffer and only flush when it is full, so the hot loop stays
    /// cheap; a CLI job has no thread pool to starve.
    /// </remarks>
    public int Copy(ParquetRowGroup rowGroup, NpgsqlBinaryImporter importer)
    {
        var data = new ParquetColumnData[_columns.Count];
        for (var c = 0; c < data.Length; c++)
        {
            data[c] = rowGroup.Column(_columns[c].Name);
        }

        for (var row = 0; row < rowGroup.RowCount; row++)
        {
            importer.StartRow();
            for (var c = 0; c < data.Length; c++)
            {
                WriteValue(importer, _columns[c].Type, data[c], row);
            }
        }

        return rowGroup.RowCount;
    }

    private static void WriteValue(NpgsqlBinaryImporter importer, LakeColumnType type, ParquetColumnData column, int row)
    {
        if (column.IsNull(row))
        {
            importer.WriteNull();
            return;
        }

        switch (type)
        {
            case LakeColumnType.String:
                importer.Write(column.GetString(row)!, NpgsqlDbType.Text);
                break;
            case LakeColumnType.Int32:
                importer.Write(column.Int32Values[row], NpgsqlDbType.Integer);
                break;
            case LakeColumnType.Int64:
                importer.Write(column.Int64Values[row], NpgsqlDbType.Bigint);
                break;
            case LakeColumnType.Double:
                importer.Write(column.DoubleValues[row], NpgsqlDbType.Double);
                break;
            case LakeColumnType.Boolean:
                importer.Write(column.BooleanValues[row], NpgsqlDbType.Boolean);
                break;
            case LakeColumnType.TimestampMillis:
                // Lake timestamps are UTC instants by contract, also in files whose writer left isAdjustedToUTC unset.
                importer.Write(
                    DateTime.SpecifyKind(ParquetColumnData.ToDateTime(column.Int64Values[row], column.Column.LogicalType), DateTimeKind.Utc),
                    NpgsqlDbType.TimestampTz);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown lake column type");
        }
    }

    private static ParquetPhysicalType PhysicalTypeOf(LakeColumnType type) => type switch
    {
        LakeColumnType.String => ParquetPhysicalType.ByteArray,
        LakeColumnType.Int32 => ParquetPhysicalType.Int32,
        LakeColumnType.Int64 or LakeColumnType.TimestampMillis => ParquetPhysicalType.Int64,
        LakeColumnType.Double => ParquetPhysicalType.Double,
        LakeColumnType.Boolean => ParquetPhysicalType.Boolean,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown lake column type"),
    };
}
