using System.Runtime.CompilerServices;
using RhythmFlow.Contracts;

namespace RhythmFlow.Lake.Storage;

/// <summary>
/// The lake in a local folder. An upload writes a temporary file under <c>.uploads/</c> (same file system, hidden
/// from listings), flushes it to disk, then links it into place with a non-overwriting move, so a reader sees
/// either nothing or the whole file and an existing object is never replaced.
/// </summary>
public sealed class LocalLakeStorage : ILakeStorage
{
    private const string UploadsFolder = ".uploads";
    private readonly string root;
    private readonly TimeProvider time;

    public LocalLakeStorage(string root, TimeProvider? time = null)
    {
        this.root = Path.GetFullPath(root);
        this.time = time ?? TimeProvider.System;
        Directory.CreateDirectory(Path.Combine(this.root, UploadsFolder));
    }

    public string Location => root;

    public Task<ILakeUpload> BeginUploadAsync(string key, CancellationToken cancellationToken)
    {
        var destination = PathOf(key);
        var temporary = Path.Combine(root, UploadsFolder, $"{Guid.NewGuid():N}.part");
        // Unbuffered: uploads are written in large pieces (a whole encoded file, a whole record), and a write buffer per
        // upload would cost a backlog batch one more array for each of its thousands of files. Writers of small pieces buffer.
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        return Task.FromResult<ILakeUpload>(new LocalUpload(key, destination, temporary, stream));
    }

    public Task<Stream?> TryOpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public async IAsyncEnumerable<LakeObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Start from the deepest folder the prefix names, so listing one hour does not walk the whole lake.
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? root : Path.Combine(root, prefix[..slash]);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var keys = new List<LakeObjectInfo>();
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.StartsWith(UploadsFolder + "/", StringComparison.Ordinal))
            {
                keys.Add(new LakeObjectInfo(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
            }
        }

        keys.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var info in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return info;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public Task<int> DeleteAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - olderThan;
        var deleted = 0;
        foreach (var file in new DirectoryInfo(Path.Combine(root, UploadsFolder)).EnumerateFiles("*.part"))
        {
            if (file.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                file.Delete();
                deleted++;
            }
        }

        return Task.FromResult(deleted);
    }

    /// <summary>Maps a key to a path under the root, accepting only safe segments so no key escapes the lake.</summary>
    private string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var segments = key.Split('/');
        foreach (var segment in segments)
        {
            LakeLayout.RequireSafeSegment(segment);
        }

        if (segments[0].StartsWith('.'))
        {
            throw new ArgumentException($"Lake key '{key}' starts with a hidden folder, which the storage keeps for itself.", nameof(key));
        }

        return Path.Combine(root, Path.Combine(segments));
    }

    private sealed class LocalUpload(string key, string destination, string temporary, FileStream stream) : ILakeUpload
    {
        private bool finished;

        public string Key => key;

        public Stream Content => stream;

        public async Task<bool> CommitAsync(CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(finished, this);
            finished = true;
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            try
            {
                // On Unix a non-overwriting move is link() + unlink(): atomic, and it fails if the name is taken.
                File.Move(temporary, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                File.Delete(temporary);
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!finished)
            {
                finished = true;
                await stream.DisposeAsync().ConfigureAwait(false);
                File.Delete(temporary);
            }
        }
    }
}
