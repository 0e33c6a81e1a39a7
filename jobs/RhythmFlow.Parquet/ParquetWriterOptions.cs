using System.ComponentModel.DataAnnotations;

namespace RhythmFlow.Parquet;

/// <summary>
/// Writer settings. The defaults suit BigQuery loads (row groups of at least 16 MiB, pages of at most 1 MiB) while
/// keeping a writer's memory bounded by one row group.
/// </summary>
public sealed class ParquetWriterOptions
{
    public ParquetCompression Compression { get; set; } = ParquetCompression.Snappy;

    /// <summary>A row group is closed once its buffered, uncompressed values reach this size.</summary>
    [Range(1024, int.MaxValue)]
    public long RowGroupSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Optional cap on rows per row group (0 = only the byte size decides).</summary>
    [Range(0, int.MaxValue)]
    public int MaxRowsPerRowGroup { get; set; }

    /// <summary>Target uncompressed size of one data page.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int PageSizeBytes { get; set; } = 1024 * 1024;

    public bool EnableDictionary { get; set; } = true;

    /// <summary>
    /// Columns written PLAIN without trying a dictionary: values unique by construction (a Kafka offset, an event id),
    /// where the attempt only costs time. Other columns still give up early once their first 4,096 values turn out
    /// all but distinct, or once the dictionary cannot end up smaller than PLAIN.
    /// </summary>
    public ISet<string> DisableDictionaryFor { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>A column chunk whose dictionary would grow past this many bytes is written PLAIN instead.</summary>
    [Range(0, 64 * 1024 * 1024)]
    public int DictionaryPageSizeLimit { get; set; } = 1024 * 1024;

    /// <summary>File-level key/value metadata.</summary>
    public IDictionary<string, string> KeyValueMetadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Page CRC-32s let readers detect corrupt pages; tests turn them off to mimic writers that omit them.</summary>
    internal bool WritePageChecksums { get; set; } = true;

    public string CreatedBy { get; set; } = "RhythmFlow.Parquet version 1.0.0";
}
