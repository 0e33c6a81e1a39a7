using System.Buffers.Binary;

namespace RhythmFlow.Parquet.Tests;

public sealed class CorruptionTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(-1)]
    [InlineData(-9)]
    public void Open_TruncatedFile_ThrowsNamingTheFile(int keep)
    {
        using var file = WriteSample(ParquetCompression.Snappy);
        var bytes = File.ReadAllBytes(file.Path);
        File.WriteAllBytes(file.Path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);

        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        ex.File.ShouldBe(file.Path);
        ex.Offset.ShouldNotBeNull();
    }

    [Fact]
    public void Open_BadMagicBytes_Throws()
    {
        using var file = WriteSample(ParquetCompression.Snappy);
        Patch(file.Path, 0, "PAR2"u8);

        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        ex.Message.ShouldContain("magic");
        ex.Offset.ShouldBe(0);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-5)]
    [InlineData(0)]
    public void Open_FooterLengthOutOfRange_Throws(int footerLength)
    {
        using var file = WriteSample(ParquetCompression.Snappy);
        var length = new FileInfo(file.Path).Length;
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, footerLength);
        Patch(file.Path, length - 8, bytes);

        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        ex.Message.ShouldContain("footer length");
    }

    [Fact]
    public void ReadRowGroup_PageSizeOutOfRange_ThrowsNamingColumnRowGroupAndOffset()
    {
        // Given: the first page header's compressed size (third field) becomes huge, keeping its byte length
        using var file = WriteSample(ParquetCompression.Snappy);
        var (pageOffset, sizeOffset, sizeLength) = LocatePageField(file.Path, 3);
        var huge = Enumerable.Repeat((byte)0xFF, sizeLength - 1).Append((byte)0x07).ToArray();
        Patch(file.Path, sizeOffset, huge);

        // When
        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        // Then
        ex.Message.ShouldContain("page size out of range");
        ex.Column.ShouldBe("id");
        ex.RowGroup.ShouldBe(0);
        ex.Offset.ShouldBe(pageOffset);
        ex.File.ShouldBe(file.Path);
    }

    [Fact]
    public void ReadRowGroup_BadVarintInPageHeader_Throws()
    {
        using var file = WriteSample(ParquetCompression.Snappy);
        var (_, sizeOffset, _) = LocatePageField(file.Path, 2);
        Patch(file.Path, sizeOffset, Enumerable.Repeat((byte)0xFF, 12).ToArray());

        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        ex.Message.ShouldContain("varint");
        ex.Column.ShouldBe("id");
    }

    [Fact]
    public void ReadRowGroup_DictionaryIndexOutOfRange_Throws()
    {
        // Given: two dictionary entries in two RLE runs (indices 0 and 1), no checksums, no compression
        using var file = new TempFile();
        var options = new ParquetWriterOptions { Compression = ParquetCompression.Uncompressed, WritePageChecksums = false };
        using (var writer = new ParquetWriter(File.Create(file.Path), new ParquetSchema([ParquetColumn.String("genre")]), options, ownsStream: true))
        {
            for (var i = 0; i < 200; i++)
            {
                writer.WriteRow(i < 100 ? "jazz" : "rock");
            }
        }

        var bytes = File.ReadAllBytes(file.Path);
        byte[] indices = [1, 0xC8, 0x01, 0x00, 0xC8, 0x01, 0x01];
        var at = bytes.AsSpan().IndexOf(indices);
        at.ShouldBePositive();
        Patch(file.Path, at + indices.Length - 1, [5]);

        // When
        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        // Then
        ex.Message.ShouldContain("dictionary index 5 is out of range");
        ex.Column.ShouldBe("genre");
    }

    [Fact]
    public void ReadRowGroup_CorruptPageBytes_FailsTheChecksum()
    {
        using var file = WriteSample(ParquetCompression.Uncompressed);
        var (pageOffset, _, _) = LocatePageField(file.Path, 2);
        var bytes = File.ReadAllBytes(file.Path);
        Patch(file.Path, pageOffset + 40, [(byte)(bytes[pageOffset + 40] ^ 0x5A)]);

        var ex = Should.Throw<ParquetFormatException>(() => ReadAll(file.Path));

        ex.Message.ShouldContain("checksum");
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Uncompressed)]
    public void ReadAll_RandomMutations_OnlyEverThrowParquetFormatException(ParquetCompression codec)
    {
        // Given: a valid file, then 300 mutants (seeded): flipped bytes, random bytes, truncations
        using var file = WriteSample(codec);
        var original = File.ReadAllBytes(file.Path);
        var random = new Random(20240601);
        var failures = 0;
        for (var round = 0; round < 300; round++)
        {
            var mutant = (byte[])original.Clone();
            var kind = random.Next(3);
            if (kind == 2)
            {
                mutant = mutant[..random.Next(mutant.Length)];
            }
            else
            {
                for (var k = 0; k < 1 + random.Next(4); k++)
                {
                    var at = random.Next(mutant.Length);
                    mutant[at] = kind == 0 ? (byte)(mutant[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
                }
            }

            // When
            using var stream = new MemoryStream(mutant);
            try
            {
                using var reader = new ParquetReader(stream, $"mutant-{round}");
                foreach (var group in reader.ReadRowGroups())
                {
                    group.RowCount.ShouldBeGreaterThanOrEqualTo(0);
                }
            }
            catch (ParquetFormatException ex)
            {
                // Then: only format errors, each naming the file
                ex.File.ShouldBe($"mutant-{round}");
                failures++;
            }
        }

        failures.ShouldBeGreaterThan(100);
    }

    private static TempFile WriteSample(ParquetCompression codec)
    {
        var file = new TempFile();
        var schema = new ParquetSchema([ParquetColumn.Int64("id"), ParquetColumn.String("name", required: false), ParquetColumn.Double("score")]);
        using var writer = new ParquetWriter(File.Create(file.Path), schema, new ParquetWriterOptions { Compression = codec, MaxRowsPerRowGroup = 300 }, ownsStream: true);
        for (var i = 0; i < 600; i++)
        {
            writer.WriteRow((long)i * 31, i % 4 == 0 ? null : $"name {i % 37}", i / 7.0);
        }

        return file;
    }

    private static void ReadAll(string path)
    {
        using var reader = ParquetReader.Open(path);
        foreach (var group in reader.ReadRowGroups())
        {
            group.RowCount.ShouldBePositive();
        }
    }

    private static void Patch(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(bytes);
    }

    /// <summary>Finds the first page of column 0 and the varint of one of its i32 header fields (1..3 are consecutive short-form fields).</summary>
    private static (long PageOffset, long FieldOffset, int FieldLength) LocatePageField(string path, int field)
    {
        long pageOffset;
        using (var reader = ParquetReader.Open(path))
        {
            pageOffset = reader.Metadata.RowGroups[0].Columns[0].StartOffset;
        }

        var bytes = File.ReadAllBytes(path);
        var position = (int)pageOffset;
        for (var f = 1; f <= field; f++)
        {
            bytes[position].ShouldBe((byte)0x15, "page header fields 1..3 are short-form i32 fields");
            position++;
            var start = position;
            while ((bytes[position] & 0x80) != 0)
            {
                position++;
            }

            position++;
            if (f == field)
            {
                return (pageOffset, start, position - start);
            }
        }

        throw new InvalidOperationException("unreachable");
    }
}
