using RhythmFlow.Contracts;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Parquet;

namespace RhythmFlow.Transform;

/// <summary>
/// The rows one topic-hour keeps from its lake files, row group by row group in commit order, each prepared (decoded,
/// checked, de-duplicated: <see cref="RawRowCopier.Prepare"/>) on another thread one row group ahead of the caller,
/// which encodes and sends it meanwhile: decoding between sends left PostgreSQL's backends idle for a tenth of a second
/// per row group. The first row group is prepared from creation on, so it overlaps whatever the caller does before it
/// asks (opening the warehouse, creating the hour's tables). A file that cannot be read fails with its key and batch.
/// </summary>
internal sealed class RowGroupPipeline : IAsyncDisposable
{
    private readonly ILakeStorage _lake;
    private readonly RawRowCopier _copier;
    private readonly IReadOnlyList<LakeHourFile> _files;
    private readonly DateTimeOffset _hour;
    private readonly int _slices;
    private readonly CancellationToken _cancellationToken;
    private int _file = -1;
    private ParquetReader? _reader;
    private int _rowGroup;
    private Task<PreparedRowGroup?> _next;

    public RowGroupPipeline(
        ILakeStorage lake, RawRowCopier copier, IReadOnlyList<LakeHourFile> files, DateTimeOffset hour, IdentitySet identities, int slices,
        CancellationToken cancellationToken)
    {
        (_lake, _copier, _files, _hour, Identities, _slices, _cancellationToken) = (lake, copier, files, hour, identities, slices, cancellationToken);
        _next = Task.Run(PrepareNextAsync, cancellationToken);
    }

    /// <summary>The identities kept so far; <see cref="IdentitySet.Full"/> says whether PostgreSQL must finish the job.</summary>
    public IdentitySet Identities { get; }

    /// <summary>The next prepared row group, null after the last; starts preparing the one after it.</summary>
    public async Task<PreparedRowGroup?> NextAsync()
    {
        var current = await _next;
        if (current is not null)
        {
            _next = Task.Run(PrepareNextAsync, _cancellationToken);
        }

        return current;
    }

    /// <summary>Waits for the row group in preparation (its failure, if any, is not the one to report) and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAny(_next);
        _ = _next.Exception;
        _reader?.Dispose();
    }

    private async Task<PreparedRowGroup?> PrepareNextAsync()
    {
        try
        {
            while (true)
            {
                if (_reader is not null && _rowGroup < _reader.RowGroupCount)
                {
                    return _copier.Prepare(LakeFileReader.ReadRowGroup(_reader, _rowGroup++, _copier), _hour, Identities, _slices);
                }

                _reader?.Dispose();
                _reader = null;
                if (++_file == _files.Count)
                {
                    return null;
                }

                _rowGroup = 0;
                _reader = await LakeFileReader.OpenAsync(_lake, _files[_file].File.Key, _copier.Topic, _cancellationToken);
            }
        }
        catch (Exception ex) when (ex is ParquetFormatException or IOException or InvalidDataException)
        {
            var file = _files[_file];
            throw new RhythmFlowException(
                $"Lake file '{file.File.Key}' ({_copier.Topic}, batch {file.BatchId}) is not readable: {ex.Message}",
                "Nothing of this hour was changed in the warehouse. Restore the file (or re-land its batch) and re-run the transform.",
                ex);
        }
    }
}
