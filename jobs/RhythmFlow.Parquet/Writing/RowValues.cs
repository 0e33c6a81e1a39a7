namespace RhythmFlow.Parquet.Writing;

/// <summary>Converts the row API's boxed values to a column's physical representation.</summary>
internal static class RowValues
{
    public static void Append(ParquetColumnWriter column, object? value)
    {
        if (value is null)
        {
            column.AppendNull();
            return;
        }

        var logical = column.Column.LogicalType;
        switch (column)
        {
            case BooleanColumnWriter booleans when value is bool b:
                booleans.Append(b);
                return;
            case FixedColumnWriter<int> ints:
                ints.Append(value switch
                {
                    DateOnly date => date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
                    int i => i,
                    short s => s,
                    sbyte s => s,
                    byte s => s,
                    _ => throw Mismatch(column, value),
                });
                return;
            case FixedColumnWriter<long> longs:
                longs.Append(value switch
                {
                    DateTimeOffset instant when logical.Kind == ParquetLogicalKind.Timestamp => ToEpoch(instant.UtcTicks, logical.Unit),
                    DateTime time when logical.Kind == ParquetLogicalKind.Timestamp => ToEpoch(
                        (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks, logical.Unit),
                    long l => l,
                    int i => i,
                    _ => throw Mismatch(column, value),
                });
                return;
            case FixedColumnWriter<float> floats when value is float f:
                floats.Append(f);
                return;
            case FixedColumnWriter<double> doubles when value is double or float:
                doubles.Append(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case ByteArrayColumnWriter bytes when value is string s:
                bytes.Append(s);
                return;
            case ByteArrayColumnWriter bytes when value is byte[] array:
                bytes.Append(array);
                return;
            default:
                throw Mismatch(column, value);
        }
    }

    private static long ToEpoch(long ticks, ParquetTimeUnit unit)
    {
        var sinceEpoch = ticks - DateTime.UnixEpoch.Ticks;
        return unit switch
        {
            ParquetTimeUnit.Millis => FloorDiv(sinceEpoch, TimeSpan.TicksPerMillisecond),
            ParquetTimeUnit.Micros => FloorDiv(sinceEpoch, TimeSpan.TicksPerMicrosecond),
            _ => sinceEpoch * 100,
        };
    }

    private static long FloorDiv(long a, long b) => a / b - (a % b < 0 ? 1 : 0);

    private static ArgumentException Mismatch(ParquetColumnWriter column, object value) =>
        new($"Column '{column.Column.Name}' ({column.Column}) cannot take a {value.GetType().Name} value.", nameof(value));
}
