using RhythmFlow.Contracts;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Parquet;
using RhythmFlow.Parquet.Reading;

namespace RhythmFlow.Transform;

/// <summary>Reads a committed raw lake file one row group at a time, only the raw table's columns.</summary>
internal static class LakeFileReader
{
    /// <summary>Opens <paramref name="key"/>; throws <see cref="InvalidDataException"/> when it is missing or its schema cannot feed the raw table.</summary>
    public static async Task<ParquetReader> OpenAsync(ILakeStorage lake, string key, string topic, CancellationToken cancellationToken)
    {
        var stream = await lake.TryOpenReadAsync(key, cancellationToken)
            ?? throw new InvalidDataException("the commit log lists it but the lake has no such file");
        var reader = new ParquetReader(stream, key, ownsStream: true);
        try
        {
            var problems = LakeSchema.ColumnsOf(topic)
                .Select(c => RawRowCopier.Incompatibility(c, reader.Schema.IndexOf(c.Name) is var i and >= 0 ? reader.Schema.Columns[i] : null))
                .OfType<string>()
                .ToList();
            return problems.Count == 0
                ? reader
                : throw new InvalidDataException($"its schema does not match the {topic} lake schema: {string.Join("; ", problems)}");
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public static ParquetRowGroup ReadRowGroup(ParquetReader reader, int index, RawRowCopier copier) => reader.ReadRowGroup(index, copier.ColumnNames);
}
