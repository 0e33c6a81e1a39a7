using System.Buffers;

namespace RhythmFlow.Parquet.Writing;

/// <summary>
/// Scratch arrays of a row group's encoding, rented from <see cref="ArrayPool{T}.Shared"/> and returned when the row
/// group is written: row groups and files encoded on one thread reuse them, and an open writer keeps none.
/// Rented arrays are not zeroed; callers clear what they rely on.
/// </summary>
internal static class Pooled
{
    /// <summary>Makes <paramref name="array"/> at least <paramref name="size"/> long, keeping none of its contents.</summary>
    public static void EnsureSize<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            Return(ref array);
            array = ArrayPool<T>.Shared.Rent(size);
        }
    }

    /// <summary>
    /// Replaces <paramref name="array"/> with a rented one of at least <paramref name="size"/> (and at least twice its
    /// length) holding its first <paramref name="keep"/> items, and gives the old one back: a value buffer that grows.
    /// </summary>
    public static void Grow<T>(ref T[] array, int size, int keep)
    {
        var grown = ArrayPool<T>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(size, array.Length * 2L)));
        array.AsSpan(0, keep).CopyTo(grown);
        Return(ref array);
        array = grown;
    }

    /// <summary>Gives <paramref name="array"/> back (an empty array is not the pool's) and leaves an empty one in its place.</summary>
    public static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }

        array = [];
    }
}
