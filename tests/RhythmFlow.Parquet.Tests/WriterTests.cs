namespace RhythmFlow.Parquet.Tests;

public sealed class WriterTests
{
    [Fact]
    public void CancelRow_PartlyAppendedRowBetweenRowsWithNulls_OnlyCompleteRowsAreWritten()
    {
        // Given: rows with and without nulls, and a row cancelled after some of its columns got values
        using var file = new TempFile();
        var schema = new ParquetSchema(
        [
            ParquetColumn.Int64("id"), ParquetColumn.String("name", required: false), ParquetColumn.Boolean("paid", required: false),
        ]);
        using (var writer = new ParquetWriter(File.Create(file.Path), schema, new ParquetWriterOptions(), ownsStream: true))
        {
            writer.WriteRow(1L, "first", true);
            writer.WriteRow(2L, null, null);
            writer.Int64Column(0).Append(99L);
            writer.ByteArrayColumn(1).Append("cancelled");
            writer.CancelRow();
            writer.Int64Column(0).Append(98L);
            writer.ByteArrayColumn(1).AppendNull();
            writer.BooleanColumn(2).Append(false);
            writer.CancelRow();

            // When
            writer.WriteRow(3L, "third", false);
        }

        // Then
        using var reader = ParquetReader.Open(file.Path);
        reader.ReadRows().ShouldBe(
        [
            [1L, "first", true],
            [2L, null, null],
            [3L, "third", false],
        ]);
    }
}
