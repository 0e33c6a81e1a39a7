using System.Runtime.InteropServices;

namespace RhythmFlow.Parquet.Encodings;

/// <summary>
/// Raw Snappy blocks through the system libsnappy's C API (snappy-c.h; Debian/Ubuntu package libsnappy1v5).
/// It compresses several times faster than the managed IronSnappy port and writes into the caller's buffer, where
/// IronSnappy allocated (and zeroed) a fresh array per page. Decoding is bounds-checked by libsnappy itself.
/// </summary>
internal static unsafe class NativeSnappy
{
    // snappy_status values from snappy-c.h.
    private const int Ok = 0;
    private const int BufferTooSmall = 2;

    private static Exports? exports;

    private static Exports Api => exports ??= Load();

    public static int MaxCompressedLength(int length) => checked((int)Api.MaxCompressedLength((nuint)length));

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/>, which must hold <see cref="MaxCompressedLength"/> bytes.</summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var api = Api;
        var length = (nuint)output.Length;
        int status;
        fixed (byte* source = input)
        fixed (byte* target = output)
        {
            status = api.Compress(source, (nuint)input.Length, target, &length);
        }

        return status == Ok
            ? (int)length
            : throw new InvalidOperationException($"snappy_compress failed with status {status} for {input.Length} bytes into {output.Length}.");
    }

    /// <summary>Decodes a block that must decode to exactly <paramref name="output"/>'s length; anything else is corruption.</summary>
    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var api = Api;
        byte empty = 0;
        fixed (byte* source = input)
        fixed (byte* target = output)
        {
            nuint declared;
            if (api.UncompressedLength(source, (nuint)input.Length, &declared) != Ok)
            {
                throw new ParquetFormatException("bad varint in the Snappy block header");
            }

            if (declared != (nuint)output.Length)
            {
                throw new ParquetFormatException($"Snappy block decodes to {declared} bytes but the page header says {output.Length}");
            }

            // An empty span pins to null, and snappy-c.h does not promise to accept a null output.
            var length = (nuint)output.Length;
            var status = api.Uncompress(source, (nuint)input.Length, target == null ? &empty : target, &length);
            if (status != Ok || length != (nuint)output.Length)
            {
                throw new ParquetFormatException(status == BufferTooSmall
                    ? $"Snappy block decodes to more than the {output.Length} bytes the page header says"
                    : "corrupt Snappy data: libsnappy rejected the block");
            }
        }
    }

    private static Exports Load()
    {
        // The runtime package ships only the versioned soname (the unversioned .so comes with the -dev package).
        foreach (var name in (ReadOnlySpan<string>)["libsnappy.so.1", "libsnappy.so", "libsnappy.1.dylib", "snappy"])
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return new Exports(handle);
            }
        }

        throw new DllNotFoundException(
            "SNAPPY pages need the system Snappy library libsnappy.so.1, which is not installed: install the Debian/Ubuntu " +
            "package libsnappy1v5 (scripts/system-packages.sh does), or write with another codec.");
    }

    private sealed class Exports(IntPtr library)
    {
        public readonly delegate* unmanaged<byte*, nuint, byte*, nuint*, int> Compress =
            (delegate* unmanaged<byte*, nuint, byte*, nuint*, int>)NativeLibrary.GetExport(library, "snappy_compress");

        public readonly delegate* unmanaged<byte*, nuint, byte*, nuint*, int> Uncompress =
            (delegate* unmanaged<byte*, nuint, byte*, nuint*, int>)NativeLibrary.GetExport(library, "snappy_uncompress");

        public readonly delegate* unmanaged<nuint, nuint> MaxCompressedLength =
            (delegate* unmanaged<nuint, nuint>)NativeLibrary.GetExport(library, "snappy_max_compressed_length");

        public readonly delegate* unmanaged<byte*, nuint, nuint*, int> UncompressedLength =
            (delegate* unmanaged<byte*, nuint, nuint*, int>)NativeLibrary.GetExport(library, "snappy_uncompressed_length");
    }
}
