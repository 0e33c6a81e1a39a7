using Dapper;
using Npgsql;

namespace RhythmFlow.Transform;

/// <summary>
/// The binary COPYs that fill one topic-hour's new table, one per slice of <see cref="HourPartition"/>: slice 0 on the
/// hour's own connection and transaction; every other slice on a connection of its own, in a transaction that creates
/// its table (so COPY FREEZE applies and, with wal_level=minimal, no WAL is written) and commits once every slice is
/// complete. The hour's transaction then attaches the slices; until it commits, a committed slice is a table that no
/// query of <c>raw</c> sees, and the next build of the hour drops it (<see cref="HourPartition.LoadSlicePattern"/>).
/// </summary>
internal sealed class HourCopy : IAsyncDisposable
{
    private readonly HourPartition _partition;
    private readonly List<Slice> _slices;
    private bool _complete;

    private HourCopy(HourPartition partition, List<Slice> slices)
    {
        _partition = partition;
        _slices = slices;
        Writers = [.. slices.Select(s => s.Writer)];
    }

    /// <summary>One writer per slice, in slice order; the caller writes the tuples, this class frames the COPY.</summary>
    public IReadOnlyList<BinaryCopyWriter> Writers { get; }

    /// <summary>
    /// Creates the hour's load table (and its slices) and starts every slice's COPY. <paramref name="settingsSql"/>
    /// (with <paramref name="settings"/>) configures each slice's own transaction as the hour's was.
    /// </summary>
    public static async Task<HourCopy> BeginAsync(
        NpgsqlDataSource warehouse, NpgsqlConnection hourConnection, HourPartition partition, IReadOnlyList<string> columns,
        string settingsSql, object settings, CancellationToken cancellationToken)
    {
        var slices = new List<Slice>(partition.Slices);
        try
        {
            await hourConnection.ExecuteAsync(new CommandDefinition(partition.CreateLoadTableSql(), cancellationToken: cancellationToken));
            slices.Add(await Slice.BeginAsync(hourConnection, null, partition.CopyTable(0), columns, cancellationToken));
            for (var s = 1; s < partition.Slices; s++)
            {
                var connection = await warehouse.OpenConnectionAsync(cancellationToken);
                try
                {
                    var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await connection.ExecuteAsync(new CommandDefinition(
                        settingsSql + ";\n" + partition.CreateSliceSql(s), settings, transaction, cancellationToken: cancellationToken));
                    slices.Add(await Slice.BeginAsync(connection, transaction, partition.CopyTable(s), columns, cancellationToken));
                }
                catch
                {
                    await connection.DisposeAsync();
                    throw;
                }
            }
        }
        catch
        {
            await new HourCopy(partition, slices).DisposeAsync();
            throw;
        }

        return new HourCopy(partition, slices);
    }

    /// <summary>
    /// Ends every COPY; when <paramref name="deduplicate"/>, deletes later copies of an identity in each slice (every
    /// copy of an identity is in one slice) and returns how many; commits the other slices' transactions and attaches
    /// the slices to the load table in the hour's transaction.
    /// </summary>
    public async Task<long> CompleteAsync(bool deduplicate, CancellationToken cancellationToken)
    {
        foreach (var slice in _slices)
        {
            slice.Writer.Finish();
        }

        foreach (var slice in _slices)
        {
            await slice.EndCopyAsync();
        }

        long deleted = 0;
        if (deduplicate)
        {
            for (var s = 0; s < _slices.Count; s++)
            {
                deleted += await _slices[s].Connection.ExecuteAsync(new CommandDefinition(
                    _partition.DeleteLaterCopiesSql(s), transaction: _slices[s].Transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            }
        }

        // In parallel: each commit fsyncs its slice's table.
        await Task.WhenAll(_slices.Where(s => s.Transaction is not null).Select(s => s.Transaction!.CommitAsync(cancellationToken)));
        _complete = true;
        if (_slices.Count > 1)
        {
            await _slices[0].Connection.ExecuteAsync(new CommandDefinition(_partition.AttachSlicesSql(), cancellationToken: cancellationToken));
        }
        return deleted;
    }

    /// <summary>Cancels every COPY not yet complete and rolls back the slices' own transactions; closes their connections.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var slice in _slices)
        {
            await slice.DisposeAsync(cancel: !_complete);
        }
    }

    private sealed class Slice(NpgsqlConnection connection, NpgsqlTransaction? transaction, NpgsqlRawCopyStream copy)
    {
        private bool _copyEnded;

        public NpgsqlConnection Connection => connection;

        /// <summary>The slice's own transaction; null for slice 0, which is in the hour's transaction.</summary>
        public NpgsqlTransaction? Transaction => transaction;

        public BinaryCopyWriter Writer { get; } = CreateWriter(copy);

        public static async Task<Slice> BeginAsync(
            NpgsqlConnection connection, NpgsqlTransaction? transaction, string table, IReadOnlyList<string> columns, CancellationToken cancellationToken)
        {
            var copy = await connection.BeginRawBinaryCopyAsync(
                $"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY, FREEZE)", cancellationToken);
            return new Slice(connection, transaction, copy);
        }

        /// <summary>Completes the COPY (disposing the stream sends the end and waits for PostgreSQL's result).</summary>
        public async Task EndCopyAsync()
        {
            _copyEnded = true;
            await copy.DisposeAsync();
        }

        public async ValueTask DisposeAsync(bool cancel)
        {
            try
            {
                if (!_copyEnded)
                {
                    _copyEnded = true;
                    // Disposing would end the COPY as complete; cancelling discards it (the transaction rolls back anyway).
                    if (cancel)
                    {
                        await copy.CancelAsync();
                    }

                    await copy.DisposeAsync();
                }
            }
            finally
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                }
            }
        }

        private static BinaryCopyWriter CreateWriter(Stream copy)
        {
            var writer = new BinaryCopyWriter(copy);
            writer.WriteHeader();
            return writer;
        }
    }
}
