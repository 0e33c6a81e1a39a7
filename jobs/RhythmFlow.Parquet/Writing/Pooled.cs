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
