namespace RhythmFlow.Lake.Storage;

/// <summary>One stored object: its '/'-separated key relative to the lake root, its size and when it was last written.</summary>
public sealed record LakeObjectInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>
/// The lake's storage seam, deliberately small so an object store fits it: objects are written once through
/// <see cref="BeginUploadAsync"/> and become visible only when the upload commits, and a commit never replaces an
/// existing object (GCS: an upload with <c>ifGenerationMatch=0</c>; a local folder: a temporary file linked into
/// place without overwriting). There is no rename and no append; the lake commit log builds on create-only writes.
/// </summary>
public interface ILakeStorage
{
    /// <summary>Where the lake is, for logs and messages (a folder path or a bucket URL).</summary>
    string Location { get; }

    /// <summary>
    /// Starts writing <paramref name="key"/>. Nothing is visible until <see cref="ILakeUpload.CommitAsync"/>;
    /// disposing an uncommitted upload abandons it.
    /// </summary>
    Task<ILakeUpload> BeginUploadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens a committed object for reading, or returns null when there is none.</summary>
    Task<Stream?> TryOpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every committed object whose key starts with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<LakeObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes an object; deleting one that does not exist is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what abandoned uploads left behind (a killed process's temporary files) once they are older than
    /// <paramref name="olderThan"/>; returns how many. Stores whose unfinished uploads are invisible and expire
    /// by themselves return 0.
    /// </summary>
    Task<int> DeleteAbandonedUploadsAsync(TimeSpan olderThan, CancellationToken cancellationToken);
}

/// <summary>An object being written; see <see cref="ILakeStorage.BeginUploadAsync"/>.</summary>
public interface ILakeUpload : IAsyncDisposable
{
    string Key { get; }

    /// <summary>The object's content; write it, then commit.</summary>
    Stream Content { get; }

    /// <summary>
    /// Makes the object visible under its key, atomically and only if the key is free: returns true when this
    /// upload created it, false when an object already had that key (this upload is then discarded).
    /// </summary>
    Task<bool> CommitAsync(CancellationToken cancellationToken);
}

public static class LakeStorageExtensions
{
    /// <summary>Creates <paramref name="key"/> with <paramref name="content"/> unless it already exists; see <see cref="ILakeUpload.CommitAsync"/>.</summary>
    public static async Task<bool> TryCreateAsync(
        this ILakeStorage storage, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var upload = await storage.BeginUploadAsync(key, cancellationToken).ConfigureAwait(false);
        await upload.Content.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a whole committed object, or returns null when there is none.</summary>
    public static async Task<byte[]?> TryReadAllBytesAsync(this ILakeStorage storage, string key, CancellationToken cancellationToken)
    {
        var stream = await storage.TryOpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }
}
