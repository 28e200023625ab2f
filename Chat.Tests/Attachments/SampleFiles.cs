using System.Text;

namespace Chat.Tests.Attachments;

/// <summary>Small files of each kind the server tells apart, made for these tests (see how each was made).</summary>
internal static class SampleFiles
{
    /// <summary>A 3×2 red PNG: signature, IHDR, one zlib IDAT, IEND (made with Python's zlib and struct).</summary>
    public static byte[] Png { get; } = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==");

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
