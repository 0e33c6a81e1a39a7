using RhythmFlow.Contracts;
using RhythmFlow.Parquet;

namespace RhythmFlow.Lake;

/// <summary>The lake file format: how a topic's <see cref="LakeSchema"/> becomes a Parquet schema.</summary>
public static class LakeParquetSchema
{
    /// <summary>The Parquet schema of a topic's lake files: event columns, then lineage columns.</summary>
    public static ParquetSchema For(string topic) => new(LakeSchema.ColumnsOf(topic).Select(ToParquet));

    /// <summary>Strings are UTF-8 STRING, timestamps INT64 TIMESTAMP(MILLIS, UTC); required columns are REQUIRED.</summary>
    public static ParquetColumn ToParquet(LakeColumn column) => column.Type switch
    {
        LakeColumnType.String => ParquetColumn.String(column.Name, column.Required),
        LakeColumnType.Int32 => ParquetColumn.Int32(column.Name, column.Required),
        LakeColumnType.Int64 => ParquetColumn.Int64(column.Name, column.Required),
        LakeColumnType.Double => ParquetColumn.Double(column.Name, column.Required),
        LakeColumnType.Boolean => ParquetColumn.Boolean(column.Name, column.Required),
        LakeColumnType.TimestampMillis => ParquetColumn.Timestamp(column.Name, ParquetTimeUnit.Millis, column.Required),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown lake column type."),
    };
}
