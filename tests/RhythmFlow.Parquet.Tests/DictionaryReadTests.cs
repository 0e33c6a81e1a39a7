using System.Buffers.Binary;
using System.Text;
using RhythmFlow.Parquet.Encodings;
using RhythmFlow.Parquet.Format;
using RhythmFlow.Parquet.Reading;
using RhythmFlow.Parquet.Thrift;

namespace RhythmFlow.Parquet.Tests;

/// <summary>How the reader hands out dictionary-encoded text: as indices into the dictionary while it can, as bytes when a page falls back.</summary>
public sealed class DictionaryReadTests
{
    private static readonly ParquetColumn Genre = ParquetColumn.String("genre", required: false);

    [Fact]
    public void Read_EveryDataPageDictionaryEncoded_KeepsIndicesAndNullsIndexTheEmptyEntry()
    {
        // Given: a dictionary [jazz, rock] and two dictionary-encoded pages, with nulls
        var chunk = Chunk(DictionaryPage("jazz", "rock"), DictionaryDataPage([0, null, 1]), DictionaryDataPage([null, 1]));

        // When
        var column = new ColumnChunkReader(Genre, ParquetCompression.Uncompressed, chunk, 4, 5).Read();

        // Then
        column.HasDictionary.ShouldBeTrue();
        column.DictionarySize.ShouldBe(2);
        column.DictionaryIndices.ToArray().ShouldBe([0, 2, 1, 2, 1]);
        column.GetDictionaryValue(2).Length.ShouldBe(0);
        Enumerable.Range(0, 5).Select(column.GetString).ShouldBe(["jazz", null, "rock", null, "rock"]);
    }

    [Fact]
    public void Read_PlainPageAfterDictionaryPages_ValuesOfEveryPageReadBackAsBytes()
    {
        // Given: a writer that gave up its dictionary after the first data page (as parquet-mr and Arrow do)
        var chunk = Chunk(DictionaryPage("jazz", "rock"), DictionaryDataPage([0, null, 1]), PlainDataPage(["blues", null]));

        // When
        var column = new ColumnChunkReader(Genre, ParquetCompression.Uncompressed, chunk, 4, 5).Read();

        // Then
        column.HasDictionary.ShouldBeFalse();
        Enumerable.Range(0, 5).Select(column.GetString).ShouldBe(["jazz", null, "rock", "blues", null]);
    }

    private static byte[] Chunk(params byte[][] pages) => [.. pages.SelectMany(p => p)];

    private static byte[] DictionaryPage(params string[] entries)
    {
        var body = PlainValues(entries);
        var header = new CompactWriter();
        MetadataCodec.WriteDictionaryPageHeader(header, body.Length, body.Length, null, entries.Length);
        return [.. header.Written, .. body];
    }

    private static byte[] DictionaryDataPage(int?[] rows)
    {
        var present = rows.OfType<int>().ToArray();
        var indices = new byte[RleHybridEncoder.MaxEncodedSize(present.Length, 1)];
        var length = RleHybridEncoder.Encode(present, 1, indices);
        return DataPage(rows.Select(r => r is not null).ToArray(), [1, .. indices.AsSpan(0, length)], ParquetEncoding.RleDictionary);
    }

    private static byte[] PlainDataPage(string?[] rows) =>
        DataPage(rows.Select(r => r is not null).ToArray(), PlainValues(rows.OfType<string>()), ParquetEncoding.Plain);

    private static byte[] DataPage(bool[] defined, byte[] values, ParquetEncoding encoding)
    {
        var levels = new byte[RleHybridEncoder.MaxEncodedSize(defined.Length, 1)];
        var levelsLength = RleHybridEncoder.Encode(defined.Select(d => d ? 1 : 0).ToArray(), 1, levels);
        var body = new byte[4 + levelsLength + values.Length];
        BinaryPrimitives.WriteInt32LittleEndian(body, levelsLength);
        levels.AsSpan(0, levelsLength).CopyTo(body.AsSpan(4));
        values.CopyTo(body.AsSpan(4 + levelsLength));
        var header = new CompactWriter();
        MetadataCodec.WriteDataPageHeader(header, body.Length, body.Length, null, defined.Length, encoding);
        return [.. header.Written, .. body];
    }

    private static byte[] PlainValues(IEnumerable<string> values) =>
        [.. values.SelectMany(v => BitConverter.GetBytes(Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v)))];
}
