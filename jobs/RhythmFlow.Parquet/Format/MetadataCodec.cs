using RhythmFlow.Parquet.Thrift;

namespace RhythmFlow.Parquet.Format;

/// <summary>Maps the footer and page headers to and from parquet.thrift, field ids as in the spec.</summary>
internal static class MetadataCodec
{
    private const int ConvertedUtf8 = 0;
    private const int ConvertedDate = 6;
    private const int ConvertedTimestampMillis = 9;
    private const int ConvertedTimestampMicros = 10;
    private const int ConvertedUint8 = 11;
    private const int ConvertedInt8 = 15;
    private const int ConvertedJson = 19;

    public static void WriteFileMetadata(CompactWriter w, ParquetFileMetadata metadata)
    {
        var columns = metadata.Schema.Columns;
        w.StructBegin();
        w.FieldI32(1, 1);
        w.FieldListBegin(2, CompactType.Struct, columns.Count + 1);
        w.StructBegin();
        w.FieldString(4, "schema");
        w.FieldI32(5, columns.Count);
        w.StructEnd();
        foreach (var column in columns)
        {
            WriteSchemaElement(w, column);
        }

        w.FieldI64(3, metadata.NumRows);
        w.FieldListBegin(4, CompactType.Struct, metadata.RowGroups.Count);
        for (var i = 0; i < metadata.RowGroups.Count; i++)
        {
            WriteRowGroup(w, metadata.RowGroups[i], (short)Math.Min(i, short.MaxValue));
        }

        if (metadata.KeyValueMetadata.Count > 0)
        {
            w.FieldListBegin(5, CompactType.Struct, metadata.KeyValueMetadata.Count);
            foreach (var (key, value) in metadata.KeyValueMetadata)
            {
                w.StructBegin();
                w.FieldString(1, key);
                if (value is not null)
                {
                    w.FieldString(2, value);
                }

                w.StructEnd();
            }
        }

        if (metadata.CreatedBy is not null)
        {
            w.FieldString(6, metadata.CreatedBy);
        }

        // One TYPE_ORDER per leaf: without column_orders, min_value/max_value have no defined meaning.
        w.FieldListBegin(7, CompactType.Struct, columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            w.StructBegin();
            w.FieldStructBegin(1);
            w.StructEnd();
            w.StructEnd();
        }

        w.StructEnd();
    }

    public static void WriteDataPageHeader(CompactWriter w, int uncompressedSize, int compressedSize, int? crc, int numValues, ParquetEncoding encoding)
    {
        w.StructBegin();
        w.FieldI32(1, (int)PageType.DataPage);
        w.FieldI32(2, uncompressedSize);
        w.FieldI32(3, compressedSize);
        if (crc is { } checksum)
        {
            w.FieldI32(4, checksum);
        }

        w.FieldStructBegin(5);
        w.FieldI32(1, numValues);
        w.FieldI32(2, (int)encoding);
        w.FieldI32(3, (int)ParquetEncoding.Rle);
        w.FieldI32(4, (int)ParquetEncoding.Rle);
        w.StructEnd();
        w.StructEnd();
    }

    public static void WriteDictionaryPageHeader(CompactWriter w, int uncompressedSize, int compressedSize, int? crc, int numValues)
    {
        w.StructBegin();
        w.FieldI32(1, (int)PageType.DictionaryPage);
        w.FieldI32(2, uncompressedSize);
        w.FieldI32(3, compressedSize);
        if (crc is { } checksum)
        {
            w.FieldI32(4, checksum);
        }

        w.FieldStructBegin(7);
        w.FieldI32(1, numValues);
        w.FieldI32(2, (int)ParquetEncoding.Plain);
        w.StructEnd();
        w.StructEnd();
    }

    private static void WriteSchemaElement(CompactWriter w, ParquetColumn column)
    {
        w.StructBegin();
        w.FieldI32(1, (int)column.PhysicalType);
        w.FieldI32(3, (int)column.Repetition);
        w.FieldString(4, column.Name);
        if (ConvertedTypeOf(column.LogicalType) is { } converted)
        {
            w.FieldI32(6, converted);
        }

        if (column.LogicalType.Kind != ParquetLogicalKind.None)
        {
            w.FieldStructBegin(10);
            WriteLogicalType(w, column.LogicalType);
            w.StructEnd();
        }

        w.StructEnd();
    }

    private static void WriteLogicalType(CompactWriter w, ParquetLogicalType logical)
    {
        switch (logical.Kind)
        {
            case ParquetLogicalKind.String:
                w.FieldStructBegin(1);
                w.StructEnd();
                break;
            case ParquetLogicalKind.Date:
                w.FieldStructBegin(6);
                w.StructEnd();
                break;
            case ParquetLogicalKind.Timestamp:
                w.FieldStructBegin(8);
                w.FieldBool(1, logical.IsAdjustedToUtc);
                w.FieldStructBegin(2);
                w.FieldStructBegin((short)(logical.Unit + 1));
                w.StructEnd();
                w.StructEnd();
                w.StructEnd();
                break;
            case ParquetLogicalKind.Integer:
                w.FieldStructBegin(10);
                w.FieldByte(1, (sbyte)logical.BitWidth);
                w.FieldBool(2, logical.IsSigned);
                w.StructEnd();
                break;
            default:
                throw new NotSupportedException($"The writer does not support the logical type {logical}.");
        }
    }

    /// <summary>The legacy ConvertedType the spec requires next to a LogicalType, where one exists.</summary>
    private static int? ConvertedTypeOf(ParquetLogicalType logical) => logical.Kind switch
    {
        ParquetLogicalKind.String => ConvertedUtf8,
        ParquetLogicalKind.Date => ConvertedDate,
        ParquetLogicalKind.Timestamp when logical.Unit == ParquetTimeUnit.Millis => ConvertedTimestampMillis,
        ParquetLogicalKind.Timestamp when logical.Unit == ParquetTimeUnit.Micros => ConvertedTimestampMicros,
        ParquetLogicalKind.Integer => (logical.IsSigned ? ConvertedInt8 : ConvertedUint8) + BitWidthIndex(logical.BitWidth),
        _ => null,
    };

    private static int BitWidthIndex(int bitWidth) => bitWidth switch { 8 => 0, 16 => 1, 32 => 2, _ => 3 };

    private static void WriteRowGroup(CompactWriter w, ParquetRowGroupMetadata rowGroup, short ordinal)
    {
        w.StructBegin();
        w.FieldListBegin(1, CompactType.Struct, rowGroup.Columns.Count);
        foreach (var chunk in rowGroup.Columns)
        {
            WriteColumnChunk(w, chunk);
        }

        w.FieldI64(2, rowGroup.TotalByteSize);
        w.FieldI64(3, rowGroup.NumRows);
        w.FieldI64(5, rowGroup.Columns[0].StartOffset);
        w.FieldI64(6, rowGroup.TotalCompressedSize ?? rowGroup.Columns.Sum(c => c.TotalCompressedSize));
        w.FieldI32(7, ordinal);
        w.StructEnd();
    }

    private static void WriteColumnChunk(CompactWriter w, ParquetColumnChunkMetadata chunk)
    {
        w.StructBegin();
        w.FieldI64(2, 0);
        w.FieldStructBegin(3);
        w.FieldI32(1, (int)chunk.Column.PhysicalType);
        w.FieldListBegin(2, CompactType.I32, chunk.Encodings.Count);
        foreach (var encoding in chunk.Encodings)
        {
            w.I32((int)encoding);
        }

        w.FieldListBegin(3, CompactType.Binary, 1);
        w.String(chunk.Column.Name);
        w.FieldI32(4, (int)chunk.Codec);
        w.FieldI64(5, chunk.NumValues);
        w.FieldI64(6, chunk.TotalUncompressedSize);
        w.FieldI64(7, chunk.TotalCompressedSize);
        w.FieldI64(9, chunk.DataPageOffset);
        if (chunk.DictionaryPageOffset is { } dictionaryOffset)
        {
            w.FieldI64(11, dictionaryOffset);
        }

        if (chunk.Statistics is { } stats)
        {
            w.FieldStructBegin(12);
            if (stats.NullCount is { } nulls)
            {
                w.FieldI64(3, nulls);
            }

            if (stats.MaxValue is not null && stats.MinValue is not null)
            {
                w.FieldBinary(5, stats.MaxValue);
                w.FieldBinary(6, stats.MinValue);
            }

            w.StructEnd();
        }

        w.StructEnd();
        w.StructEnd();
    }

    public static ParquetFileMetadata ReadFileMetadata(ref CompactReader r)
    {
        int? version = null;
        long? numRows = null;
        List<SchemaElement>? schema = null;
        var rowGroupStarts = new List<RawRowGroup>();
        var keyValues = new List<KeyValuePair<string, string?>>();
        string? createdBy = null;
        var hasColumnOrders = false;
        var startOffset = r.FileOffset;

        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    version = r.ReadI32(type);
                    break;
                case 2:
                    {
                        var count = r.ReadListBegin(type, out var elementType);
                        schema = new List<SchemaElement>(count);
                        for (var i = 0; i < count; i++)
                        {
                            r.ExpectStruct(elementType);
                            schema.Add(ReadSchemaElement(ref r));
                        }

                        break;
                    }

                case 3:
                    numRows = r.ReadI64(type);
                    break;
                case 4:
                    {
                        var count = r.ReadListBegin(type, out var elementType);
                        for (var i = 0; i < count; i++)
                        {
                            r.ExpectStruct(elementType);
                            rowGroupStarts.Add(ReadRowGroup(ref r));
                        }

                        break;
                    }

                case 5:
                    {
                        var count = r.ReadListBegin(type, out var elementType);
                        for (var i = 0; i < count; i++)
                        {
                            r.ExpectStruct(elementType);
                            keyValues.Add(ReadKeyValue(ref r));
                        }

                        break;
                    }

                case 6:
                    createdBy = r.ReadString(type);
                    break;
                case 7:
                    hasColumnOrders = true;
                    r.Skip(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        if (version is null || numRows is null || schema is null)
        {
            throw new ParquetFormatException("footer lacks a required field (version, schema or num_rows)", offset: startOffset);
        }

        var parquetSchema = BuildSchema(schema, startOffset);
        var rowGroups = rowGroupStarts.Select(rg => rg.Resolve(parquetSchema, startOffset)).ToList();
        return new ParquetFileMetadata
        {
            Version = version.Value,
            Schema = parquetSchema,
            NumRows = numRows.Value,
            RowGroups = rowGroups,
            KeyValueMetadata = keyValues,
            CreatedBy = createdBy,
            HasColumnOrders = hasColumnOrders,
        };
    }

    public static PageHeader ReadPageHeader(ref CompactReader r)
    {
        var header = new PageHeader { IsCompressed = true };
        bool hasType = false, hasSizes = false;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    header.Type = (PageType)r.ReadI32(type);
                    hasType = true;
                    break;
                case 2:
                    header.UncompressedPageSize = r.ReadI32(type);
                    break;
                case 3:
                    header.CompressedPageSize = r.ReadI32(type);
                    hasSizes = true;
                    break;
                case 4:
                    header.Crc = r.ReadI32(type);
                    break;
                case 5:
                    r.ExpectStruct(type);
                    ReadDataPageHeader(ref r, ref header);
                    break;
                case 7:
                    r.ExpectStruct(type);
                    ReadDictionaryPageHeader(ref r, ref header);
                    break;
                case 8:
                    r.ExpectStruct(type);
                    ReadDataPageHeaderV2(ref r, ref header);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        if (!hasType || !hasSizes)
        {
            throw r.Fail("page header lacks its type or sizes");
        }

        return header;
    }

    private static void ReadDataPageHeader(ref CompactReader r, ref PageHeader header)
    {
        header.HasDataHeader = true;
        header.DefinitionLevelEncoding = ParquetEncoding.Rle;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    header.NumValues = r.ReadI32(type);
                    break;
                case 2:
                    header.Encoding = (ParquetEncoding)r.ReadI32(type);
                    break;
                case 3:
                    header.DefinitionLevelEncoding = (ParquetEncoding)r.ReadI32(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
    }

    private static void ReadDictionaryPageHeader(ref CompactReader r, ref PageHeader header)
    {
        header.HasDataHeader = true;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    header.NumValues = r.ReadI32(type);
                    break;
                case 2:
                    header.Encoding = (ParquetEncoding)r.ReadI32(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
    }

    private static void ReadDataPageHeaderV2(ref CompactReader r, ref PageHeader header)
    {
        header.HasDataHeader = true;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    header.NumValues = r.ReadI32(type);
                    break;
                case 2:
                    header.NumNulls = r.ReadI32(type);
                    break;
                case 3:
                    header.NumRows = r.ReadI32(type);
                    break;
                case 4:
                    header.Encoding = (ParquetEncoding)r.ReadI32(type);
                    break;
                case 5:
                    header.DefinitionLevelsByteLength = r.ReadI32(type);
                    break;
                case 6:
                    header.RepetitionLevelsByteLength = r.ReadI32(type);
                    break;
                case 7:
                    header.IsCompressed = r.ReadBool(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
    }

    private sealed record SchemaElement(ParquetPhysicalType? Type, int TypeLength, ParquetRepetition? Repetition, string Name, int NumChildren, int? ConvertedType, ParquetLogicalType? Logical, int Scale, int Precision);

    private static SchemaElement ReadSchemaElement(ref CompactReader r)
    {
        ParquetPhysicalType? physical = null;
        ParquetRepetition? repetition = null;
        string? name = null;
        int typeLength = 0, numChildren = 0, scale = 0, precision = 0;
        int? converted = null;
        ParquetLogicalType? logical = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    physical = (ParquetPhysicalType)r.ReadI32(type);
                    break;
                case 2:
                    typeLength = r.ReadI32(type);
                    break;
                case 3:
                    repetition = (ParquetRepetition)r.ReadI32(type);
                    break;
                case 4:
                    name = r.ReadString(type);
                    break;
                case 5:
                    numChildren = r.ReadI32(type);
                    break;
                case 6:
                    converted = r.ReadI32(type);
                    break;
                case 7:
                    scale = r.ReadI32(type);
                    break;
                case 8:
                    precision = r.ReadI32(type);
                    break;
                case 10:
                    r.ExpectStruct(type);
                    logical = ReadLogicalType(ref r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        return new SchemaElement(physical, typeLength, repetition, name ?? throw r.Fail("schema element without a name"), numChildren, converted, logical, scale, precision);
    }

    private static ParquetLogicalType ReadLogicalType(ref CompactReader r)
    {
        var result = new ParquetLogicalType(ParquetLogicalKind.Other);
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            r.ExpectStruct(type);
            switch (id)
            {
                case 1:
                    r.Skip(type);
                    result = ParquetLogicalType.String;
                    break;
                case 4:
                    r.Skip(type);
                    result = new ParquetLogicalType(ParquetLogicalKind.Enum);
                    break;
                case 6:
                    r.Skip(type);
                    result = ParquetLogicalType.Date;
                    break;
                case 7:
                case 8:
                    result = ReadTimeType(ref r, id == 8 ? ParquetLogicalKind.Timestamp : ParquetLogicalKind.Time);
                    break;
                case 5:
                    result = ReadDecimalType(ref r);
                    break;
                case 10:
                    result = ReadIntType(ref r);
                    break;
                case 12:
                    r.Skip(type);
                    result = new ParquetLogicalType(ParquetLogicalKind.Json);
                    break;
                case 14:
                    r.Skip(type);
                    result = new ParquetLogicalType(ParquetLogicalKind.Uuid);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        return result;
    }

    private static ParquetLogicalType ReadTimeType(ref CompactReader r, ParquetLogicalKind kind)
    {
        var utc = false;
        ParquetTimeUnit? unit = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            if (id == 1)
            {
                utc = r.ReadBool(type);
            }
            else if (id == 2)
            {
                r.ExpectStruct(type);
                r.StructBegin();
                while (r.NextField(out var unitType, out var unitId))
                {
                    r.Skip(unitType);
                    unit = unitId switch { 1 => ParquetTimeUnit.Millis, 2 => ParquetTimeUnit.Micros, 3 => ParquetTimeUnit.Nanos, _ => null };
                }

                r.StructEnd();
            }
            else
            {
                r.Skip(type);
            }
        }

        r.StructEnd();

        // An unknown unit makes the type unsupported, not the file corrupt (LogicalTypes.md).
        return unit is null ? new ParquetLogicalType(ParquetLogicalKind.Other) : new ParquetLogicalType(kind, unit.Value, utc);
    }

    private static ParquetLogicalType ReadDecimalType(ref CompactReader r)
    {
        int scale = 0, precision = 0;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    scale = r.ReadI32(type);
                    break;
                case 2:
                    precision = r.ReadI32(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        return new ParquetLogicalType(ParquetLogicalKind.Decimal, Precision: precision, Scale: scale);
    }

    private static ParquetLogicalType ReadIntType(ref CompactReader r)
    {
        int bitWidth = 0;
        var signed = true;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    bitWidth = r.ReadByte(type);
                    break;
                case 2:
                    signed = r.ReadBool(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        return bitWidth is 8 or 16 or 32 or 64 ? ParquetLogicalType.Integer(bitWidth, signed) : new ParquetLogicalType(ParquetLogicalKind.Other);
    }

    /// <summary>Readers fall back to the legacy ConvertedType when a writer gave no LogicalType.</summary>
    private static ParquetLogicalType FromConvertedType(int? converted, int scale, int precision) => converted switch
    {
        ConvertedUtf8 => ParquetLogicalType.String,
        4 => new ParquetLogicalType(ParquetLogicalKind.Enum),
        5 => new ParquetLogicalType(ParquetLogicalKind.Decimal, Precision: precision, Scale: scale),
        ConvertedDate => ParquetLogicalType.Date,
        7 => new ParquetLogicalType(ParquetLogicalKind.Time, ParquetTimeUnit.Millis, true),
        8 => new ParquetLogicalType(ParquetLogicalKind.Time, ParquetTimeUnit.Micros, true),
        ConvertedTimestampMillis => ParquetLogicalType.Timestamp(ParquetTimeUnit.Millis),
        ConvertedTimestampMicros => ParquetLogicalType.Timestamp(ParquetTimeUnit.Micros),
        >= ConvertedUint8 and <= 14 => ParquetLogicalType.Integer(8 << (converted.Value - ConvertedUint8), isSigned: false),
        >= ConvertedInt8 and <= 18 => ParquetLogicalType.Integer(8 << (converted.Value - ConvertedInt8)),
        ConvertedJson => new ParquetLogicalType(ParquetLogicalKind.Json),
        null => ParquetLogicalType.None,
        _ => new ParquetLogicalType(ParquetLogicalKind.Other),
    };

    private static ParquetSchema BuildSchema(List<SchemaElement> elements, long offset)
    {
        if (elements.Count < 2 || elements[0].NumChildren != elements.Count - 1)
        {
            throw new ParquetFormatException(
                "schema is empty or nested; this reader supports flat schemas (one root group of primitive columns)", offset: offset);
        }

        var columns = new List<ParquetColumn>(elements.Count - 1);
        foreach (var element in elements.Skip(1))
        {
            if (element.NumChildren != 0 || element.Type is not { } type || element.Repetition is not { } repetition ||
                repetition == ParquetRepetition.Repeated)
            {
                throw new ParquetFormatException(
                    $"column '{element.Name}' is nested or repeated; this reader supports flat schemas only", offset: offset);
            }

            if (!Enum.IsDefined(type) || !Enum.IsDefined(repetition))
            {
                throw new ParquetFormatException($"column '{element.Name}' has an unknown type or repetition", offset: offset);
            }

            var logical = element.Logical ?? FromConvertedType(element.ConvertedType, element.Scale, element.Precision);
            columns.Add(new ParquetColumn(element.Name, type, logical, repetition) { TypeLength = element.TypeLength });
        }

        try
        {
            return new ParquetSchema(columns);
        }
        catch (ArgumentException ex)
        {
            throw new ParquetFormatException($"invalid schema: {ex.Message}", offset: offset, inner: ex);
        }
    }

    private static KeyValuePair<string, string?> ReadKeyValue(ref CompactReader r)
    {
        string? key = null, value = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    key = r.ReadString(type);
                    break;
                case 2:
                    value = r.ReadString(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        return new(key ?? throw r.Fail("key/value metadata entry without a key"), value);
    }

    /// <summary>A row group as read, before its chunks are matched to the schema (which is read first only by convention).</summary>
    private sealed record RawRowGroup(List<RawChunk> Chunks, long NumRows, long TotalByteSize, long? TotalCompressedSize)
    {
        public ParquetRowGroupMetadata Resolve(ParquetSchema schema, long offset)
        {
            if (Chunks.Count != schema.Columns.Count)
            {
                throw new ParquetFormatException(
                    $"row group has {Chunks.Count} column chunks but the schema has {schema.Columns.Count} columns", offset: offset);
            }

            var columns = new List<ParquetColumnChunkMetadata>(Chunks.Count);
            for (var i = 0; i < Chunks.Count; i++)
            {
                var chunk = Chunks[i];
                var column = schema.Columns[i];
                if (chunk.Type != column.PhysicalType || chunk.NumValues < 0 || chunk.TotalCompressedSize < 0 || chunk.DataPageOffset < 0)
                {
                    throw new ParquetFormatException(
                        "column chunk metadata disagrees with the schema or has negative sizes", column: column.Name, offset: offset);
                }

                columns.Add(new ParquetColumnChunkMetadata
                {
                    Column = column,
                    Encodings = chunk.Encodings,
                    Codec = chunk.Codec,
                    NumValues = chunk.NumValues,
                    TotalUncompressedSize = chunk.TotalUncompressedSize,
                    TotalCompressedSize = chunk.TotalCompressedSize,
                    DataPageOffset = chunk.DataPageOffset,
                    DictionaryPageOffset = chunk.DictionaryPageOffset,
                    Statistics = chunk.Statistics,
                });
            }

            return new ParquetRowGroupMetadata { Columns = columns, NumRows = NumRows, TotalByteSize = TotalByteSize, TotalCompressedSize = TotalCompressedSize };
        }
    }

    private sealed record RawChunk(ParquetPhysicalType Type, List<ParquetEncoding> Encodings, ParquetCompression Codec, long NumValues, long TotalUncompressedSize, long TotalCompressedSize, long DataPageOffset, long? DictionaryPageOffset, ParquetStatistics? Statistics);

    private static RawRowGroup ReadRowGroup(ref CompactReader r)
    {
        var chunks = new List<RawChunk>();
        long numRows = -1, totalByteSize = 0;
        long? totalCompressed = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    {
                        var count = r.ReadListBegin(type, out var elementType);
                        for (var i = 0; i < count; i++)
                        {
                            r.ExpectStruct(elementType);
                            chunks.Add(ReadColumnChunk(ref r));
                        }

                        break;
                    }

                case 2:
                    totalByteSize = r.ReadI64(type);
                    break;
                case 3:
                    numRows = r.ReadI64(type);
                    break;
                case 6:
                    totalCompressed = r.ReadI64(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        if (numRows < 0)
        {
            throw r.Fail("row group lacks a valid num_rows");
        }

        return new RawRowGroup(chunks, numRows, totalByteSize, totalCompressed);
    }

    private static RawChunk ReadColumnChunk(ref CompactReader r)
    {
        RawChunk? chunk = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            if (id == 1)
            {
                r.ReadBinary(type);
                throw r.Fail("column chunk lives in another file (file_path); external column chunks are not supported");
            }

            if (id == 3)
            {
                r.ExpectStruct(type);
                chunk = ReadColumnMetaData(ref r);
            }
            else
            {
                r.Skip(type);
            }
        }

        r.StructEnd();
        return chunk ?? throw r.Fail("column chunk without meta_data");
    }

    private static RawChunk ReadColumnMetaData(ref CompactReader r)
    {
        ParquetPhysicalType? physical = null;
        var encodings = new List<ParquetEncoding>();
        var codec = ParquetCompression.Uncompressed;
        long numValues = -1, uncompressed = 0, compressed = -1, dataPageOffset = -1;
        long? dictionaryOffset = null;
        ParquetStatistics? statistics = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    physical = (ParquetPhysicalType)r.ReadI32(type);
                    break;
                case 2:
                    {
                        var count = r.ReadListBegin(type, out var elementType);
                        for (var i = 0; i < count; i++)
                        {
                            encodings.Add((ParquetEncoding)r.ReadListElementI32(elementType));
                        }

                        break;
                    }

                case 4:
                    codec = (ParquetCompression)r.ReadI32(type);
                    break;
                case 5:
                    numValues = r.ReadI64(type);
                    break;
                case 6:
                    uncompressed = r.ReadI64(type);
                    break;
                case 7:
                    compressed = r.ReadI64(type);
                    break;
                case 9:
                    dataPageOffset = r.ReadI64(type);
                    break;
                case 11:
                    dictionaryOffset = r.ReadI64(type);
                    break;
                case 12:
                    r.ExpectStruct(type);
                    statistics = ReadStatistics(ref r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        if (physical is null || numValues < 0 || compressed < 0 || dataPageOffset < 0)
        {
            throw r.Fail("column metadata lacks its type, num_values, sizes or data_page_offset");
        }

        return new RawChunk(physical.Value, encodings, codec, numValues, uncompressed, compressed, dataPageOffset, dictionaryOffset, statistics);
    }

    private static ParquetStatistics ReadStatistics(ref CompactReader r)
    {
        long? nullCount = null, distinct = null;
        byte[]? min = null, max = null, legacyMin = null, legacyMax = null;
        r.StructBegin();
        while (r.NextField(out var type, out var id))
        {
            switch (id)
            {
                case 1:
                    legacyMax = r.ReadBinary(type).ToArray();
                    break;
                case 2:
                    legacyMin = r.ReadBinary(type).ToArray();
                    break;
                case 3:
                    nullCount = r.ReadI64(type);
                    break;
                case 4:
                    distinct = r.ReadI64(type);
                    break;
                case 5:
                    max = r.ReadBinary(type).ToArray();
                    break;
                case 6:
                    min = r.ReadBinary(type).ToArray();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.StructEnd();
        return new ParquetStatistics
        {
            NullCount = nullCount,
            DistinctCount = distinct,
            MinValue = min ?? legacyMin,
            MaxValue = max ?? legacyMax,
        };
    }
}
