using System.Buffers.Binary;
using System.Text.Unicode;
using RhythmFlow.Contracts;
using RhythmFlow.Parquet;
using RhythmFlow.Parquet.Reading;

namespace RhythmFlow.Transform;

/// <summary>
/// Streams decoded Parquet row groups of one topic into the binary COPYs of an hour's table (one per slice), column
/// types mapped as the raw tables declare them (LakeSchema). While streaming it drops rows whose <c>ts</c> is outside
/// the hour and later copies of an event identity already written, so PostgreSQL writes every kept row once and
/// nothing else. Two steps, so that they can run on two threads, one row group apart: <see cref="Prepare"/> (checks
/// and picks the rows, in file order) and <see cref="Write"/> (encodes them). One instance per transform: each step
/// may run on any thread, but only one call of each at a time.
/// </summary>
internal sealed class RawRowCopier
{
    // PostgreSQL timestamps count microseconds from 2000-01-01 UTC; its valid range is [MinTimestamp, EndTimestamp).
    private const long PostgresEpochUnixMicros = 946_684_800_000_000;
    private const long MinTimestamp = -211_813_488_000_000_000;
    private const long EndTimestamp = 9_223_371_331_200_000_000;

    // Rows are encoded in chunks this size: big enough for tight per-column loops, small enough to stay in cache.
    private const int ChunkRows = 1024;

    private readonly LakeColumn[] _columns;
    private readonly int[] _cursors = new int[ChunkRows];
    private readonly int _ts;
    private readonly int _session;
    private readonly int _item;

    public RawRowCopier(string topic)
    {
        Topic = topic;
        _columns = [.. LakeSchema.ColumnsOf(topic)];
        ColumnNames = [.. _columns.Select(c => c.Name)];
        _ts = Array.FindIndex(_columns, c => c.Name == "ts");
        _session = Array.FindIndex(_columns, c => c.Name == LakeSchema.EventIdentity[0]);
        _item = Array.FindIndex(_columns, c => c.Name == LakeSchema.EventIdentity[1]);
    }

    public string Topic { get; }

    /// <summary>The columns to read from each file (projection) and to COPY, in raw-table order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Checks a file's schema can feed the raw table; the message names the column and what was wrong.</summary>
    public static string? Incompatibility(LakeColumn expected, ParquetColumn? actual) => actual switch
    {
        null => $"column '{expected.Name}' is missing",
        _ when actual.PhysicalType != PhysicalTypeOf(expected.Type) =>
            $"column '{expected.Name}' is {actual.PhysicalType}, expected {PhysicalTypeOf(expected.Type)}",
        _ when expected.Type == LakeColumnType.TimestampMillis && actual.LogicalType.Kind != ParquetLogicalKind.Timestamp =>
            $"column '{expected.Name}' is not a timestamp",
        _ => null,
    };

    /// <summary>
    /// Checks <paramref name="rowGroup"/> and picks its rows that belong to the hour starting at <paramref name="hour"/>
    /// and whose identity <paramref name="identities"/> has not seen, each for its slice (<see cref="HourPartition.SliceOf"/>
    /// over <paramref name="slices"/>); throws <see cref="InvalidDataException"/> naming the column when a value cannot
    /// go into the raw table. Row groups must come in file order, as the first copy of an identity is the one kept.
    /// </summary>
    public PreparedRowGroup Prepare(ParquetRowGroup rowGroup, DateTimeOffset hour, IdentitySet identities, int slices)
    {
        var data = new ParquetColumnData[_columns.Length];
        var hasNulls = new bool[_columns.Length];
        var fields = new DictionaryFields?[_columns.Length];
        for (var c = 0; c < data.Length; c++)
        {
            data[c] = rowGroup.Column(_columns[c].Name);
            Validate(_columns[c], data[c]);
            hasNulls[c] = data[c].NullCount > 0;
            if (_columns[c].Type == LakeColumnType.String && data[c].HasDictionary)
            {
                fields[c] = new DictionaryFields(data[c]);
            }
        }

        var kept = new int[slices][];
        for (var slice = 0; slice < slices; slice++)
        {
            kept[slice] = new int[rowGroup.RowCount];
        }

        var start = (hour.ToUnixTimeMilliseconds() * 1000) - PostgresEpochUnixMicros;
        var end = start + (TimeSpan.TicksPerHour / TimeSpan.TicksPerMicrosecond);
        var ts = data[_ts].Int64Values;
        var unit = data[_ts].Column.LogicalType.Unit;
        var sessions = data[_session].Int64Values;
        var items = data[_item].Int32Values;
        var counts = new int[slices];
        int outside = 0, duplicates = 0;
        for (var row = 0; row < rowGroup.RowCount; row++)
        {
            var micros = ToPostgresMicros(_columns[_ts], data[_ts], ts[row], unit);
            if (micros < start || micros >= end)
            {
                outside++;
            }
            else if (!identities.Add(sessions[row], items[row]))
            {
                duplicates++;
            }
            else
            {
                var slice = slices == 1 ? 0 : HourPartition.SliceOf(sessions[row], slices);
                kept[slice][counts[slice]++] = row;
            }
        }

        return new PreparedRowGroup(data, hasNulls, fields, kept, counts, new RowGroupLoad(rowGroup.RowCount, duplicates, outside));
    }

    /// <summary>Encodes the rows <paramref name="prepared"/> kept, each to the writer of its slice.</summary>
    public void Write(PreparedRowGroup prepared, IReadOnlyList<BinaryCopyWriter> writers)
    {
        // Chunk by chunk across the slices, so every slice's connection gets rows all the time, not one after another.
        var rows = prepared.Load.Rows;
        for (var from = 0; from < rows; from += ChunkRows)
        {
            for (var slice = 0; slice < writers.Count; slice++)
            {
                if (from < prepared.Counts[slice])
                {
                    EncodeRows(prepared, prepared.Kept[slice].AsSpan(from, Math.Min(ChunkRows, prepared.Counts[slice] - from)), writers[slice]);
                }
            }
        }
    }

    /// <summary>
    /// Encodes tuples column by column (one type switch per column, not per value): first each tuple's
    /// size, then every column's fields at each tuple's cursor.
    /// </summary>
    private void EncodeRows(PreparedRowGroup prepared, ReadOnlySpan<int> rows, BinaryCopyWriter writer)
    {
        var (data, hasNulls, fields) = (prepared.Data, prepared.HasNulls, prepared.Fields);
        var cursors = _cursors.AsSpan(0, rows.Length);
        var fixedSize = sizeof(short) + (data.Length * sizeof(int));
        for (var c = 0; c < data.Length; c++)
        {
            if (_columns[c].Type != LakeColumnType.String && !hasNulls[c])
            {
                fixedSize += FixedWidth(_columns[c].Type);
            }
        }

        cursors.Fill(fixedSize);
        for (var c = 0; c < data.Length; c++)
        {
            var column = data[c];
            var isString = _columns[c].Type == LakeColumnType.String;
            if (fields[c] is { } dictionary)
            {
                var indices = column.DictionaryIndices;
                for (var i = 0; i < rows.Length; i++)
                {
                    cursors[i] += dictionary.Length(indices[rows[i]]) - sizeof(int);
                }
            }
            else if (isString || hasNulls[c])
            {
                var width = isString ? 0 : FixedWidth(_columns[c].Type);
                for (var i = 0; i < rows.Length; i++)
                {
                    cursors[i] += column.IsNull(rows[i]) ? 0 : isString ? column.GetBytes(rows[i]).Length : width;
                }
            }
        }

        // Sizes become start offsets.
        var total = 0;
        for (var i = 0; i < cursors.Length; i++)
        {
            (cursors[i], total) = (total, total + cursors[i]);
        }

        var buffer = writer.GetSpan(total);
        for (var i = 0; i < cursors.Length; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(buffer[cursors[i]..], (short)data.Length);
            cursors[i] += sizeof(short);
        }

        for (var c = 0; c < data.Length; c++)
        {
            if (fields[c] is { } dictionary)
            {
                dictionary.Encode(data[c].DictionaryIndices, rows, cursors, buffer);
            }
            else
            {
                EncodeColumn(_columns[c], data[c], rows, cursors, buffer);
            }
        }

        writer.Advance(total);
    }

    private static void EncodeColumn(LakeColumn expected, ParquetColumnData column, ReadOnlySpan<int> rows, Span<int> cursors, Span<byte> buffer)
    {
        switch (expected.Type)
        {
            case LakeColumnType.String:
                for (var i = 0; i < rows.Length; i++)
                {
                    if (column.IsNull(rows[i]))
                    {
                        cursors[i] += WriteNull(buffer, cursors[i]);
                        continue;
                    }

                    var value = column.GetBytes(rows[i]);
                    BinaryPrimitives.WriteInt32BigEndian(buffer[cursors[i]..], value.Length);
                    value.CopyTo(buffer[(cursors[i] + sizeof(int))..]);
                    cursors[i] += sizeof(int) + value.Length;
                }

                break;
            case LakeColumnType.Int32:
                var ints = column.Int32Values;
                for (var i = 0; i < rows.Length; i++)
                {
                    cursors[i] += column.IsNull(rows[i]) ? WriteNull(buffer, cursors[i]) : WriteInt32(buffer, cursors[i], ints[rows[i]]);
                }

                break;
            case LakeColumnType.Int64:
                var longs = column.Int64Values;
                for (var i = 0; i < rows.Length; i++)
                {
                    cursors[i] += column.IsNull(rows[i]) ? WriteNull(buffer, cursors[i]) : WriteInt64(buffer, cursors[i], longs[rows[i]]);
                }

                break;
            case LakeColumnType.Double:
                var doubles = column.DoubleValues;
                for (var i = 0; i < rows.Length; i++)
                {
                    cursors[i] += column.IsNull(rows[i])
                        ? WriteNull(buffer, cursors[i])
                        : WriteInt64(buffer, cursors[i], BitConverter.DoubleToInt64Bits(doubles[rows[i]]));
                }

                break;
            case LakeColumnType.Boolean:
                var booleans = column.BooleanValues;
                for (var i = 0; i < rows.Length; i++)
                {
                    if (column.IsNull(rows[i]))
                    {
                        cursors[i] += WriteNull(buffer, cursors[i]);
                        continue;
                    }

                    BinaryPrimitives.WriteInt32BigEndian(buffer[cursors[i]..], sizeof(byte));
                    buffer[cursors[i] + sizeof(int)] = booleans[rows[i]] ? (byte)1 : (byte)0;
                    cursors[i] += sizeof(int) + sizeof(byte);
                }

                break;
            case LakeColumnType.TimestampMillis:
                // Lake timestamps are UTC instants by contract, also in files whose writer left isAdjustedToUTC unset.
                var instants = column.Int64Values;
                var unit = column.Column.LogicalType.Unit;
                for (var i = 0; i < rows.Length; i++)
                {
                    cursors[i] += column.IsNull(rows[i])
                        ? WriteNull(buffer, cursors[i])
                        : WriteInt64(buffer, cursors[i], ToPostgresMicros(expected, column, instants[rows[i]], unit));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(expected), expected.Type, "unknown lake column type");
        }
    }

    private static int WriteNull(Span<byte> buffer, int at)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer[at..], -1);
        return sizeof(int);
    }

    private static int WriteInt32(Span<byte> buffer, int at, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer[at..], sizeof(int));
        BinaryPrimitives.WriteInt32BigEndian(buffer[(at + sizeof(int))..], value);
        return sizeof(int) + sizeof(int);
    }

    private static int WriteInt64(Span<byte> buffer, int at, long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer[at..], sizeof(long));
        BinaryPrimitives.WriteInt64BigEndian(buffer[(at + sizeof(int))..], value);
        return sizeof(int) + sizeof(long);
    }

    private static int FixedWidth(LakeColumnType type) => type switch
    {
        LakeColumnType.Int32 => sizeof(int),
        LakeColumnType.Int64 or LakeColumnType.Double or LakeColumnType.TimestampMillis => sizeof(long),
        LakeColumnType.Boolean => sizeof(byte),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a fixed-width lake column type"),
    };

    private static void Validate(LakeColumn expected, ParquetColumnData column)
    {
        if (expected.Required && column.NullCount > 0)
        {
            throw new InvalidDataException($"column '{expected.Name}' is required but has {column.NullCount} null value(s)");
        }

        if (expected.Type == LakeColumnType.String && column.HasDictionary)
        {
            for (var index = 0; index < column.DictionarySize; index++)
            {
                if (!IsText(column.GetDictionaryValue(index)) && column.DictionaryIndices.Contains(index))
                {
                    throw new InvalidDataException($"column '{expected.Name}' has a value that is not UTF-8 text without NUL characters");
                }
            }
        }
        else if (expected.Type == LakeColumnType.String)
        {
            for (var row = 0; row < column.Count; row++)
            {
                // PostgreSQL would refuse these in the middle of the COPY, with a message that names no file.
                if (!IsText(column.GetBytes(row)))
                {
                    throw new InvalidDataException($"column '{expected.Name}' has a value that is not UTF-8 text without NUL characters");
                }
            }
        }
    }

    private static bool IsText(ReadOnlySpan<byte> value) => Utf8.IsValid(value) && !value.Contains((byte)0);

    private static long ToPostgresMicros(LakeColumn expected, ParquetColumnData column, long value, ParquetTimeUnit unit)
    {
        var micros = unit switch
        {
            ParquetTimeUnit.Millis when value is > long.MaxValue / 1000 or < long.MinValue / 1000 => long.MinValue,
            ParquetTimeUnit.Millis => value * 1000,
            ParquetTimeUnit.Micros => value,
            _ => (value / 1000) - (value % 1000 < 0 ? 1 : 0),
        };
        return micros >= MinTimestamp + PostgresEpochUnixMicros && micros - PostgresEpochUnixMicros < EndTimestamp
            ? micros - PostgresEpochUnixMicros
            : throw new InvalidDataException(
                $"column '{expected.Name}' holds {value} ({column.Column.LogicalType.Unit} since 1970), outside PostgreSQL's timestamp range");
    }

    private static ParquetPhysicalType PhysicalTypeOf(LakeColumnType type) => type switch
    {
        LakeColumnType.String => ParquetPhysicalType.ByteArray,
        LakeColumnType.Int32 => ParquetPhysicalType.Int32,
        LakeColumnType.Int64 or LakeColumnType.TimestampMillis => ParquetPhysicalType.Int64,
        LakeColumnType.Double => ParquetPhysicalType.Double,
        LakeColumnType.Boolean => ParquetPhysicalType.Boolean,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown lake column type"),
    };
}

/// <summary>
/// One row group, checked, and the rows it gives each slice (<see cref="Kept"/>[slice][..<see cref="Counts"/>[slice]]),
/// waiting to be encoded.
/// </summary>
internal sealed record PreparedRowGroup(
    ParquetColumnData[] Data, bool[] HasNulls, DictionaryFields?[] Fields, int[][] Kept, int[] Counts, RowGroupLoad Load);

/// <summary>
/// A dictionary-encoded text column's COPY fields, encoded once per distinct value (length prefix and bytes; -1 for
/// the null entry) and copied per row, instead of reading and framing every row's value.
/// </summary>
internal sealed class DictionaryFields
{
    private readonly byte[] _bytes;
    private readonly int[] _starts;

    public DictionaryFields(ParquetColumnData column)
    {
        var size = column.DictionarySize;
        _starts = new int[size + 2];
        long total = 0;
        for (var index = 0; index < size; index++)
        {
            total += sizeof(int) + column.GetDictionaryValue(index).Length;
        }

        _bytes = new byte[checked((int)(total + sizeof(int)))];
        var at = 0;
        for (var index = 0; index <= size; index++)
        {
            _starts[index] = at;
            if (index == size)
            {
                BinaryPrimitives.WriteInt32BigEndian(_bytes.AsSpan(at), -1);
                at += sizeof(int);
                continue;
            }

            var value = column.GetDictionaryValue(index);
            BinaryPrimitives.WriteInt32BigEndian(_bytes.AsSpan(at), value.Length);
            value.CopyTo(_bytes.AsSpan(at + sizeof(int)));
            at += sizeof(int) + value.Length;
        }

        _starts[size + 1] = at;
    }

    /// <summary>The size of the field of dictionary entry <paramref name="index"/>, its length prefix included.</summary>
    public int Length(int index) => _starts[index + 1] - _starts[index];

    /// <summary>Copies each row's field to its cursor and moves the cursor past it.</summary>
    public void Encode(ReadOnlySpan<int> indices, ReadOnlySpan<int> rows, Span<int> cursors, Span<byte> buffer)
    {
        var starts = _starts.AsSpan();
        var bytes = _bytes.AsSpan();
        for (var i = 0; i < rows.Length; i++)
        {
            var index = indices[rows[i]];
            var from = starts[index];
            var length = starts[index + 1] - from;
            bytes.Slice(from, length).CopyTo(buffer[cursors[i]..]);
            cursors[i] += length;
        }
    }
}

/// <summary>What one row group gave an hour: rows read, later copies of an identity dropped, rows outside the hour dropped.</summary>
internal readonly record struct RowGroupLoad(int Rows, int Duplicates, int OutsideHour);
