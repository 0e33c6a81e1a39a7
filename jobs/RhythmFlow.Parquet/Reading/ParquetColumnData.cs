using System.Text;

namespace RhythmFlow.Parquet.Reading;

/// <summary>
/// One column of one row group, decoded: a value per row (nulls leave a default in the value array and are
/// flagged in <see cref="IsNull"/>). Byte arrays sit in one buffer with offsets, not as per-value objects; a
/// dictionary-encoded byte-array chunk keeps its dictionary and one index per row instead of a copy of every value.
/// </summary>
public sealed class ParquetColumnData
{
    private readonly bool[]? nulls;
    private readonly Array? values;
    private readonly byte[] bytes;
    private readonly int[]? offsets;
    private readonly int[]? dictionaryIndices;

    internal ParquetColumnData(
        ParquetColumn column, int count, bool[]? nulls, Array? values, byte[]? bytes, int[]? offsets,
        int[]? dictionaryIndices = null, int dictionarySize = 0)
    {
        Column = column;
        Count = count;
        this.nulls = nulls;
        this.values = values;
        this.bytes = bytes ?? [];
        this.offsets = offsets;
        this.dictionaryIndices = dictionaryIndices;
        DictionarySize = dictionaryIndices is null ? 0 : dictionarySize;
    }

    public ParquetColumn Column { get; }

    public int Count { get; }

    public bool IsNull(int row) => nulls is not null && nulls[row];

    public int NullCount => nulls is null ? 0 : nulls.AsSpan(0, Count).Count(true);

    public ReadOnlySpan<int> Int32Values => Values<int>();

    public ReadOnlySpan<long> Int64Values => Values<long>();

    public ReadOnlySpan<float> FloatValues => Values<float>();

    public ReadOnlySpan<double> DoubleValues => Values<double>();

    public ReadOnlySpan<bool> BooleanValues => Values<bool>();

    /// <summary>The bytes of a BYTE_ARRAY (or fixed-length) value; empty for null.</summary>
    public ReadOnlySpan<byte> GetBytes(int row) =>
        offsets is null
            ? throw new InvalidOperationException($"Column '{Column.Name}' is {Column.PhysicalType}, not a byte array.")
            : dictionaryIndices is null
                ? bytes.AsSpan(offsets[row], offsets[row + 1] - offsets[row])
                : GetDictionaryValue(dictionaryIndices[row]);

    /// <summary>
    /// True when the byte-array values are held as <see cref="DictionaryIndices"/> into the chunk's dictionary (every
    /// data page of the chunk was dictionary-encoded), so a consumer can work once per distinct value.
    /// </summary>
    public bool HasDictionary => dictionaryIndices is not null;

    /// <summary>How many values the dictionary holds (0 without one); index <see cref="DictionarySize"/> is the empty value of a null row.</summary>
    public int DictionarySize { get; }

    /// <summary>Per row, the index of its value in the dictionary; a null row has <see cref="DictionarySize"/>.</summary>
    public ReadOnlySpan<int> DictionaryIndices =>
        dictionaryIndices is null
            ? throw new InvalidOperationException($"Column '{Column.Name}' holds no dictionary indices.")
            : dictionaryIndices.AsSpan(0, Count);

    /// <summary>Dictionary value <paramref name="index"/> (0 to <see cref="DictionarySize"/>, the last being the empty null value).</summary>
    public ReadOnlySpan<byte> GetDictionaryValue(int index) =>
        dictionaryIndices is null || (uint)index > (uint)DictionarySize
            ? throw new ArgumentOutOfRangeException(nameof(index), index, $"Column '{Column.Name}' has no dictionary value {index}.")
            : bytes.AsSpan(offsets![index], offsets[index + 1] - offsets[index]);

    public string? GetString(int row) => IsNull(row) ? null : Encoding.UTF8.GetString(GetBytes(row));

    /// <summary>The value as a .NET object (for tools): string, byte[], int, long, float, double, bool, DateTime (UTC) or DateOnly.</summary>
    public object? GetValue(int row)
    {
        if (IsNull(row))
        {
            return null;
        }

        var logical = Column.LogicalType;
        return Column.PhysicalType switch
        {
            ParquetPhysicalType.Boolean => BooleanValues[row],
            ParquetPhysicalType.Int32 when logical.Kind == ParquetLogicalKind.Date => DateOnly.FromDayNumber(
                (int)Math.Clamp((long)DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + Int32Values[row], DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber)),
            ParquetPhysicalType.Int32 when logical is { Kind: ParquetLogicalKind.Integer, IsSigned: false } => (long)(uint)Int32Values[row],
            ParquetPhysicalType.Int32 => Int32Values[row],
            ParquetPhysicalType.Int64 when logical.Kind == ParquetLogicalKind.Timestamp => ToDateTime(Int64Values[row], logical),
            ParquetPhysicalType.Int64 => Int64Values[row],
            ParquetPhysicalType.Float => FloatValues[row],
            ParquetPhysicalType.Double => DoubleValues[row],
            _ when logical.Kind is ParquetLogicalKind.String or ParquetLogicalKind.Json or ParquetLogicalKind.Enum => GetString(row),
            _ => GetBytes(row).ToArray(),
        };
    }

    /// <summary>Converts a TIMESTAMP value; values outside DateTime's range are clamped to it.</summary>
    public static DateTime ToDateTime(long value, ParquetLogicalType logical)
    {
        var ticksPerUnit = logical.Unit switch
        {
            ParquetTimeUnit.Millis => TimeSpan.TicksPerMillisecond,
            ParquetTimeUnit.Micros => TimeSpan.TicksPerMicrosecond,
            _ => 0,
        };
        var ticks = ticksPerUnit == 0 ? (Int128)value / 100 : (Int128)value * ticksPerUnit;
        ticks += DateTime.UnixEpoch.Ticks;
        var clamped = (long)Int128.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
        return new DateTime(clamped, logical.IsAdjustedToUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified);
    }

    private ReadOnlySpan<T> Values<T>() =>
        values is T[] typed
            ? typed.AsSpan(0, Count)
            : throw new InvalidOperationException($"Column '{Column.Name}' is {Column.PhysicalType}; it has no {typeof(T).Name} values.");
}

/// <summary>The decoded, projected columns of one row group.</summary>
public sealed class ParquetRowGroup
{
    internal ParquetRowGroup(int index, int rowCount, IReadOnlyList<ParquetColumnData> columns)
    {
        Index = index;
        RowCount = rowCount;
        Columns = columns;
    }

    public int Index { get; }

    public int RowCount { get; }

    public IReadOnlyList<ParquetColumnData> Columns { get; }

    public ParquetColumnData Column(string name) =>
        Columns.FirstOrDefault(c => c.Column.Name == name)
        ?? throw new ArgumentException($"Column '{name}' was not read. Read columns: {string.Join(", ", Columns.Select(c => c.Column.Name))}.", nameof(name));
}
