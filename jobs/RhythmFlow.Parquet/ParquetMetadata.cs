namespace RhythmFlow.Parquet;

/// <summary>Column-chunk statistics as stored: PLAIN-encoded bounds (no length prefix for BYTE_ARRAY).</summary>
public sealed class ParquetStatistics
{
    public long? NullCount { get; init; }

    public long? DistinctCount { get; init; }

    /// <summary>Lower bound in the column's type order (<c>min_value</c>), falling back to legacy <c>min</c> for signed types.</summary>
    public byte[]? MinValue { get; init; }

    public byte[]? MaxValue { get; init; }
}

/// <summary>One column chunk of a row group, as described by the footer.</summary>
public sealed class ParquetColumnChunkMetadata
{
    public required ParquetColumn Column { get; init; }

    public required IReadOnlyList<ParquetEncoding> Encodings { get; init; }

    public required ParquetCompression Codec { get; init; }

    /// <summary>Values in the chunk, nulls included.</summary>
    public required long NumValues { get; init; }

    public required long TotalUncompressedSize { get; init; }

    public required long TotalCompressedSize { get; init; }

    public required long DataPageOffset { get; init; }

    public long? DictionaryPageOffset { get; init; }

    public ParquetStatistics? Statistics { get; init; }

    /// <summary>Where the chunk starts: the dictionary page if there is one, else the first data page.</summary>
    public long StartOffset => DictionaryPageOffset is > 0 and var d && d < DataPageOffset ? d : DataPageOffset;
}

public sealed class ParquetRowGroupMetadata
{
    public required IReadOnlyList<ParquetColumnChunkMetadata> Columns { get; init; }

    public required long NumRows { get; init; }

    /// <summary>Uncompressed bytes of all column data.</summary>
    public required long TotalByteSize { get; init; }

    public long? TotalCompressedSize { get; init; }
}

/// <summary>A file's footer: schema, row groups and key/value metadata.</summary>
public sealed class ParquetFileMetadata
{
    public int Version { get; init; } = 1;

    public required ParquetSchema Schema { get; init; }

    public required long NumRows { get; init; }

    public required IReadOnlyList<ParquetRowGroupMetadata> RowGroups { get; init; }

    public IReadOnlyList<KeyValuePair<string, string?>> KeyValueMetadata { get; init; } = [];

    public string? CreatedBy { get; init; }

    /// <summary>True when the footer declares column orders, which gives min_value/max_value their meaning.</summary>
    public bool HasColumnOrders { get; init; }
}
