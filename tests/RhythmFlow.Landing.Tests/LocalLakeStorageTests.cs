using System.Text;
using RhythmFlow.Lake.Storage;

namespace RhythmFlow.Landing.Tests;

public sealed class LocalLakeStorageTests : IDisposable
{
    private readonly TempLake lake = new();

    public void Dispose() => lake.Dispose();

    [Fact]
    public async Task TryCreateAsync_KeyTaken_ReturnsFalseAndKeepsFirstContent()
    {
        // Given
        var storage = lake.Storage;
        (await storage.TryCreateAsync("raw/a/one.bin", "first"u8.ToArray(), default)).ShouldBeTrue();

        // When
        var second = await storage.TryCreateAsync("raw/a/one.bin", "second"u8.ToArray(), default);

        // Then
        second.ShouldBeFalse();
        Encoding.UTF8.GetString((await storage.TryReadAllBytesAsync("raw/a/one.bin", default))!).ShouldBe("first");
        Directory.GetFiles(Path.Combine(lake.Root, ".uploads")).ShouldBeEmpty();
    }

    [Fact]
    public async Task BeginUploadAsync_NotCommitted_IsInvisibleAndLeavesNothingAfterDispose()
    {
        await using (var upload = await lake.Storage.BeginUploadAsync("raw/a/two.bin", default))
        {
            await upload.Content.WriteAsync("partial"u8.ToArray());
            (await lake.Storage.TryOpenReadAsync("raw/a/two.bin", default)).ShouldBeNull();
            (await ToListAsync(lake.Storage.ListAsync("raw/", default))).ShouldBeEmpty();
        }

        Directory.GetFiles(Path.Combine(lake.Root, ".uploads")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsOnlyMatchingKeysInOrder()
    {
        foreach (var key in new[] { "raw/t/b.bin", "raw/t/a.bin", "quarantine/t/c.bin", "raw/u/d.bin" })
        {
            await lake.Storage.TryCreateAsync(key, "x"u8.ToArray(), default);
        }

        var keys = (await ToListAsync(lake.Storage.ListAsync("raw/t/", default))).Select(o => o.Key);

        keys.ShouldBe(["raw/t/a.bin", "raw/t/b.bin"]);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("raw//x")]
    [InlineData("/abs")]
    [InlineData(".uploads/x.part")]
    [InlineData("raw/a b")]
    public async Task BeginUploadAsync_UnsafeKey_Throws(string key) =>
        await Should.ThrowAsync<ArgumentException>(() => lake.Storage.BeginUploadAsync(key, default));

    [Fact]
    public async Task DeleteAbandonedUploadsAsync_OldTemporaryFile_DeletesOnlyOldOnes()
    {
        var uploads = Path.Combine(lake.Root, ".uploads");
        var old = Path.Combine(uploads, "old.part");
        var fresh = Path.Combine(uploads, "fresh.part");
        await File.WriteAllTextAsync(old, "x");
        await File.WriteAllTextAsync(fresh, "x");
        File.SetLastWriteTimeUtc(old, File.GetLastWriteTimeUtc(fresh).AddHours(-2));

        var deleted = await lake.Storage.DeleteAbandonedUploadsAsync(TimeSpan.FromHours(1), default);

        deleted.ShouldBe(1);
        File.Exists(fresh).ShouldBeTrue();
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
