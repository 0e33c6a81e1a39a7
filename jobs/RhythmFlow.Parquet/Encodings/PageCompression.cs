using System.IO.Compression;
using IronSnappy;

namespace RhythmFlow.Parquet.Encodings;

/// <summary>Page codecs (Compression.md): raw Snappy blocks and single-member GZIP, both bounded on decode.</summary>
internal static class PageCompression
{
    public static bool IsSupported(ParquetCompression codec) =>
        codec is ParquetCompression.Uncompressed or ParquetCompression.Snappy or ParquetCompression.Gzip;

    /// <summary>Compresses a page body; for UNCOMPRESSED returns null (the caller writes the body as-is).</summary>
    public static byte[]? Compress(ParquetCompression codec, ReadOnlySpan<byte> body, MemoryStream gzipScratch) => codec switch
    {
        ParquetCompression.Uncompressed => null,
        ParquetCompression.Snappy => Snappy.Encode(body),
        ParquetCompression.Gzip => Gzip(body, gzipScratch),
        _ => throw new NotSupportedException($"The writer does not support codec {codec}."),
    };

    private static byte[] Gzip(ReadOnlySpan<byte> body, MemoryStream scratch)
    {
        scratch.SetLength(0);
        using (var gzip = new GZipStream(scratch, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return scratch.ToArray();
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
                DecodeSnappy(input, output);
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

    private static void DecodeSnappy(ReadOnlySpan<byte> input, Span<byte> output)
    {
        // The block starts with its decoded length: check it before IronSnappy allocates that much.
        ulong declared = 0;
        var position = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= input.Length || shift > 28)
            {
                throw new ParquetFormatException("bad varint in the Snappy block header");
            }

            var b = input[position++];
            declared |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (declared != (ulong)output.Length)
        {
            throw new ParquetFormatException($"Snappy block decodes to {declared} bytes but the page header says {output.Length}");
        }

        byte[] decoded;
        try
        {
            decoded = Snappy.Decode(input);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ParquetFormatException($"corrupt Snappy data: {ex.Message}", inner: ex);
        }

        if (decoded.Length != output.Length)
        {
            throw new ParquetFormatException($"Snappy block decoded to {decoded.Length} bytes but the page header says {output.Length}");
        }

        decoded.CopyTo(output);
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
