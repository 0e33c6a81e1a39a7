namespace RhythmFlow.Parquet;

/// <summary>Parquet physical types (values are the Thrift enum values).</summary>
public enum ParquetPhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

public enum ParquetRepetition
{
    Required = 0,
    Optional = 1,
    Repeated = 2,
}

public enum ParquetCompression
{
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Lzo = 3,
    Brotli = 4,
    Lz4 = 5,
    Zstd = 6,
    Lz4Raw = 7,
}

public enum ParquetEncoding
{
    Plain = 0,
    PlainDictionary = 2,
    Rle = 3,
    BitPacked = 4,
    DeltaBinaryPacked = 5,
    DeltaLengthByteArray = 6,
    DeltaByteArray = 7,
    RleDictionary = 8,
    ByteStreamSplit = 9,
}

public enum ParquetLogicalKind
{
    None,
    String,
    Date,
    Timestamp,
    Integer,
    Json,
    Enum,
    Uuid,
    Decimal,
    Time,
    Other,
}

public enum ParquetTimeUnit
{
    Millis,
    Micros,
    Nanos,
}

/// <summary>A column's logical type annotation (LogicalTypes.md); <see cref="None"/> for plain physical values.</summary>
public sealed record ParquetLogicalType(
    ParquetLogicalKind Kind,
    ParquetTimeUnit Unit = ParquetTimeUnit.Millis,
    bool IsAdjustedToUtc = true,
    int BitWidth = 0,
    bool IsSigned = true,
    int Precision = 0,
    int Scale = 0)
{
    public static ParquetLogicalType None { get; } = new(ParquetLogicalKind.None);

    public static ParquetLogicalType String { get; } = new(ParquetLogicalKind.String);

    public static ParquetLogicalType Date { get; } = new(ParquetLogicalKind.Date);

    public static ParquetLogicalType Timestamp(ParquetTimeUnit unit, bool isAdjustedToUtc = true) =>
        new(ParquetLogicalKind.Timestamp, unit, isAdjustedToUtc);

    public static ParquetLogicalType Integer(int bitWidth, bool isSigned = true) =>
        bitWidth is 8 or 16 or 32 or 64
            ? new(ParquetLogicalKind.Integer, BitWidth: bitWidth, IsSigned: isSigned)
            : throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "INT bit width must be 8, 16, 32 or 64.");

    public override string ToString() => Kind switch
    {
        ParquetLogicalKind.None => "",
        ParquetLogicalKind.Timestamp => $"TIMESTAMP({Unit.ToString().ToUpperInvariant()},{(IsAdjustedToUtc ? "UTC" : "LOCAL")})",
        ParquetLogicalKind.Integer => $"INT({BitWidth},{(IsSigned ? "signed" : "unsigned")})",
        ParquetLogicalKind.Decimal => $"DECIMAL({Precision},{Scale})",
        _ => Kind.ToString().ToUpperInvariant(),
    };
}

/// <summary>One leaf column of a flat schema.</summary>
public sealed record ParquetColumn(string Name, ParquetPhysicalType PhysicalType, ParquetLogicalType LogicalType, ParquetRepetition Repetition)
{
    public bool IsOptional => Repetition == ParquetRepetition.Optional;

    /// <summary>Byte length of FIXED_LEN_BYTE_ARRAY values (read side only).</summary>
    public int TypeLength { get; init; }

    public static ParquetColumn Boolean(string name, bool required = true) => Create(name, ParquetPhysicalType.Boolean, ParquetLogicalType.None, required);

    public static ParquetColumn Int32(string name, bool required = true) => Create(name, ParquetPhysicalType.Int32, ParquetLogicalType.None, required);

    public static ParquetColumn Int64(string name, bool required = true) => Create(name, ParquetPhysicalType.Int64, ParquetLogicalType.None, required);

    public static ParquetColumn Float(string name, bool required = true) => Create(name, ParquetPhysicalType.Float, ParquetLogicalType.None, required);

    public static ParquetColumn Double(string name, bool required = true) => Create(name, ParquetPhysicalType.Double, ParquetLogicalType.None, required);

    public static ParquetColumn String(string name, bool required = true) => Create(name, ParquetPhysicalType.ByteArray, ParquetLogicalType.String, required);

    public static ParquetColumn Binary(string name, bool required = true) => Create(name, ParquetPhysicalType.ByteArray, ParquetLogicalType.None, required);

    public static ParquetColumn Date(string name, bool required = true) => Create(name, ParquetPhysicalType.Int32, ParquetLogicalType.Date, required);

    public static ParquetColumn Timestamp(string name, ParquetTimeUnit unit, bool required = true) =>
        Create(name, ParquetPhysicalType.Int64, ParquetLogicalType.Timestamp(unit), required);

    /// <summary>INT(8/16/32/64, signed): 8 to 32 bits are stored as INT32, 64 as INT64.</summary>
    public static ParquetColumn Integer(string name, int bitWidth, bool required = true) =>
        Create(name, bitWidth == 64 ? ParquetPhysicalType.Int64 : ParquetPhysicalType.Int32, ParquetLogicalType.Integer(bitWidth), required);

    private static ParquetColumn Create(string name, ParquetPhysicalType type, ParquetLogicalType logical, bool required)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ParquetColumn(name, type, logical, required ? ParquetRepetition.Required : ParquetRepetition.Optional);
    }

    public override string ToString() =>
        $"{Name}: {Repetition.ToString().ToUpperInvariant()} {PhysicalType.ToString().ToUpperInvariant()}{(LogicalType.Kind == ParquetLogicalKind.None ? "" : " " + LogicalType)}";
}

/// <summary>A flat schema: an ordered list of uniquely named leaf columns.</summary>
public sealed class ParquetSchema
{
    private readonly Dictionary<string, int> indexByName;

    public ParquetSchema(IEnumerable<ParquetColumn> columns)
    {
        Columns = [.. columns];
        if (Columns.Count == 0)
        {
            throw new ArgumentException("A Parquet schema needs at least one column.", nameof(columns));
        }

        indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!indexByName.TryAdd(Columns[i].Name, i))
            {
                throw new ArgumentException($"Duplicate column name '{Columns[i].Name}'.", nameof(columns));
            }
        }
    }

    public IReadOnlyList<ParquetColumn> Columns { get; }

    public int IndexOf(string name) => indexByName.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The index of a column, or an exception listing the columns that exist.</summary>
    public int RequireIndex(string name) =>
        indexByName.TryGetValue(name, out var index)
            ? index
            : throw new ArgumentException($"No column '{name}'. Columns: {string.Join(", ", Columns.Select(c => c.Name))}.", nameof(name));
}
