using System.Buffers;
using System.IO.Compression;
using RhythmFlow.Parquet.Writing;

namespace RhythmFlow.Parquet.Encodings;

/// <summary>Page codecs (Compression.md): raw Snappy blocks and single-member GZIP, both bounded on decode.</summary>
internal static class PageCompression
{
    public static bool IsSupported(ParquetCompression codec) =>
        codec is ParquetCompression.Uncompressed or ParquetCompression.Snappy or ParquetCompression.Gzip;

    /// <summary>
    /// Compresses a page body and returns the bytes to store: the body itself for UNCOMPRESSED. SNAPPY compresses into
    /// <paramref name="scratch"/>, an <see cref="ArrayPool{T}.Shared"/> array swapped for a bigger one when too small
    /// (the caller returns it); GZIP into <paramref name="gzipScratch"/>. Either way a page allocates nothing.
    /// </summary>
    public static ReadOnlySpan<byte> Compress(ParquetCompression codec, ReadOnlySpan<byte> body, ref byte[] scratch, MemoryStream gzipScratch)
    {
        switch (codec)
        {
            case ParquetCompression.Uncompressed:
                return body;
            case ParquetCompression.Snappy:
                var bound = NativeSnappy.MaxCompressedLength(body.Length);
                Pooled.EnsureSize(ref scratch, bound);
                return scratch.AsSpan(0, NativeSnappy.Compress(body, scratch.AsSpan(0, bound)));
            case ParquetCompression.Gzip:
                gzipScratch.SetLength(0);
                using (var gzip = new GZipStream(gzipScratch, CompressionLevel.Optimal, leaveOpen: true))
                {
                    gzip.Write(body);
                }

                return gzipScratch.GetBuffer().AsSpan(0, (int)gzipScratch.Length);
            default:
                throw new NotSupportedException($"The writer does not support codec {codec}.");
        }
    }

    /// <summary>Decompresses into exactly <paramref name="output"/>; a different decoded size is corruption.</summary>
    public static void Decompress(ParquetCompression codec, ReadOnlySpan<byte> input, Span<byte> output)
    {
        switch (codec)
        {
            case ParquetCompression.Uncompressed:
                if (input.Length != output.Length)
                {
                    throw new ParquetFormatException($"uncompressed page has {input.Length} bytes but its header says {output.Length}");
                }

                input.CopyTo(output);
                return;
            case ParquetCompression.Snappy:
                NativeSnappy.Decompress(input, output);
                return;
            case ParquetCompression.Gzip:
                DecodeGzip(input, output);
                return;
            case ParquetCompression.Zstd:
                throw new ParquetFormatException(
                    "column uses ZSTD compression, which this reader cannot decode; rewrite the file with SNAPPY, GZIP or no compression");
            default:
                throw new ParquetFormatException($"column uses compression codec {codec}, which this reader cannot decode; use SNAPPY, GZIP or none");
        }
    }

    private static unsafe void DecodeGzip(ReadOnlySpan<byte> input, Span<byte> output)
    {
        try
        {
            fixed (byte* pointer = input)
            {
                using var source = new UnmanagedMemoryStream(pointer, input.Length);
                using var gzip = new GZipStream(source, CompressionMode.Decompress);
                var filled = 0;
                while (filled < output.Length)
                {
                    var read = gzip.Read(output[filled..]);
                    if (read == 0)
                    {
                        throw new ParquetFormatException($"GZIP data decodes to {filled} bytes but the page header says {output.Length}");
                    }

                    filled += read;
                }

                Span<byte> probe = stackalloc byte[1];
                if (gzip.Read(probe) != 0)
                {
                    throw new ParquetFormatException($"GZIP data decodes to more than the {output.Length} bytes the page header says");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ParquetFormatException($"corrupt GZIP data: {ex.Message}", inner: ex);
        }
    }
}
