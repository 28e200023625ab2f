using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Chat.Tests.Attachments;

/// <summary>Small files of each kind the server tells apart, made for these tests (see how each was made).</summary>
internal static class SampleFiles
{
    /// <summary>A 3×2 red PNG: signature, IHDR, one zlib IDAT, IEND (made with Python's zlib and struct).</summary>
    public static byte[] Png { get; } = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==");

    /// <summary>A PNG of <paramref name="width"/> × <paramref name="height"/> opaque red pixels, made here so the test needs no file.</summary>
    public static byte[] PngOf(int width, int height)
    {
        var scanlines = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            scanlines.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                scanlines.Write([0xFF, 0x00, 0x00]);
            }
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bits per channel
        header[9] = 2; // truecolour RGB
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(scanlines.ToArray());
        }

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typeAndData));
        png.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>A 5×4 GIF89a of one colour.</summary>
    public static byte[] Gif { get; } = Convert.FromBase64String("R0lGODlhBQAEAIAAAP8AAAAAACwAAAAABQAEAAACAkwBADs=");

    /// <summary>A 7×6 lossless WebP header (RIFF, WEBP, a VP8L chunk).</summary>
    public static byte[] WebP { get; } = Convert.FromBase64String("UklGRhQAAABXRUJQVlA4TAgAAAAvBkABAAAAAA==");

    /// <summary>The frame of a 4×3 baseline JPEG: SOI, a JFIF APP0, SOF0 with its size and three components, EOI.</summary>
    public static byte[] Jpeg { get; } =
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x03, 0x00, 0x04, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
        0xFF, 0xD9,
    ];

    /// <summary>An SVG that runs script when a browser renders it as a document.</summary>
    public static byte[] SvgWithScript { get; } = Encoding.UTF8.GetBytes(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
          <script>fetch('/api/steal?c=' + document.cookie)</script>
          <rect width="10" height="10" fill="red"/>
        </svg>
        """);

    /// <summary>An HTML page with script.</summary>
    public static byte[] Html { get; } = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html>\n<html><head><title>hi</title></head><body><script>alert(document.domain)</script></body></html>\n");

    public static byte[] PlainText { get; } = Encoding.UTF8.GetBytes("Grüße aus Köln — 3 lines\nof text\n\twith a tab\n");

    /// <summary><paramref name="length"/> bytes that are no known type and no text, different for every seed.</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        // Not a signature of anything: a NUL first.
        bytes[0] = 0;
        return bytes;
    }
}
