using System.Text;
using MetadataExtractor;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.Util;
using Directory = MetadataExtractor.Directory;

namespace Chat.Server.Attachments;

/// <summary>What the bytes of an upload are: its content type and, for the images shown inline, its size in pixels.</summary>
public sealed record DetectedType(string ContentType, int? Width = null, int? Height = null);

/// <summary>
/// Reads an upload's type from its bytes, never from the name or the type the client sent: the type decides how the
/// file is served (<see cref="IsInline"/>), and a client must not be able to make HTML pass for an image. File
/// signatures and image sizes come from MetadataExtractor; markup and text are recognised here.
/// </summary>
public static class AttachmentTypes
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Svg = "image/svg+xml";
    public const string Html = "text/html";
    public const string Xml = "application/xml";
    public const string Pdf = "application/pdf";
    public const string Text = "text/plain";
    public const string Binary = "application/octet-stream";

    /// <summary>How much of a text file's start is read for markup; browsers sniff about as far.</summary>
    private const int MarkupWindow = 4096;

    /// <summary>
    /// The HTML elements whose leading tag makes browsers treat bytes as HTML (the WHATWG MIME sniffing rules), and
    /// a comment, which starts many HTML files.
    /// </summary>
    private static readonly string[] HtmlStarts =
    [
        "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style",
        "<title", "<b", "<body", "<br", "<p", "<!--",
    ];

    /// <summary>
    /// The only types served inline: raster images that browsers decode as pictures and never run. Everything else,
    /// SVG and HTML above all, is served as a download.
    /// </summary>
    public static bool IsInline(string contentType) => contentType is Png or Jpeg or Gif or WebP;

    /// <summary>Detects the type of the bytes in <paramref name="content"/> (seekable, read from its start).</summary>
    public static DetectedType Detect(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var start = content.Position;

        var fileType = FileTypeDetector.DetectFileType(content);
        IReadOnlyList<Directory>? metadata = null;
        if (fileType != FileType.Unknown)
        {
            content.Position = start;
            metadata = ReadMetadata(content);
        }

        if (metadata is not null && ImageOf(fileType, metadata) is { } image)
        {
            return image;
        }

        content.Position = start;
        var head = new byte[MarkupWindow];
        var headLength = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (head.AsSpan(0, headLength).StartsWith("%PDF-"u8))
        {
            return new DetectedType(Pdf);
        }

        content.Position = start;
        if (IsText(content))
        {
            return new DetectedType(MarkupOf(Encoding.UTF8.GetString(head, 0, headLength)) ?? Text);
        }

        // Any other type MetadataExtractor knows by its signature and could also read: the signatures of some
        // (BMP's "BM", the Netpbm "P1"...) are two letters, and only a readable file is taken for one of them.
        return metadata is not null && fileType.GetMimeType() is { } known && !metadata.Any(d => d.HasError)
            ? new DetectedType(known)
            : new DetectedType(Binary);
    }

    /// <summary>
    /// What markup the start of a text file is, as a browser would take it: <c>image/svg+xml</c>, <c>text/html</c>,
    /// <c>application/xml</c>, or null for other text.
    /// </summary>
    internal static string? MarkupOf(string head)
    {
        var text = head.TrimStart('\uFEFF').TrimStart();
        if (!text.StartsWith('<'))
        {
            return null;
        }

        var lower = text.ToLowerInvariant();
        // An SVG may open with an XML declaration, comments or a doctype before its root.
        if (lower.StartsWith("<svg", StringComparison.Ordinal) || (IsPrologue(lower) && lower.Contains("<svg", StringComparison.Ordinal)))
        {
            return Svg;
        }

        if (HtmlStarts.Any(tag => StartsWithTag(lower, tag)) || (IsPrologue(lower) && lower.Contains("<html", StringComparison.Ordinal)))
        {
            return Html;
        }

        return lower.StartsWith("<?xml", StringComparison.Ordinal) ? Xml : null;
    }

    /// <summary>Whether all of <paramref name="content"/> is UTF-8 text: valid, without NUL or control characters but tabs, line and page breaks.</summary>
    internal static bool IsText(Stream content)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[81_920];
        var chars = new char[bytes.Length + 1];
        var any = false;
        try
        {
            while (true)
            {
                var read = content.Read(bytes);
                var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: read == 0);
                foreach (var c in chars.AsSpan(0, count))
                {
                    if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f'))
                    {
                        return false;
                    }
                }

                if (read == 0)
                {
                    return any;
                }

                any = true;
            }
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsPrologue(string lower) => lower.StartsWith("<?xml", StringComparison.Ordinal) || lower.StartsWith("<!", StringComparison.Ordinal);

    /// <summary>The tag followed by what ends a tag name, as browsers check it (<c>&lt;b</c> is not <c>&lt;body</c>'s start).</summary>
    private static bool StartsWithTag(string lower, string tag) =>
        lower.StartsWith(tag, StringComparison.Ordinal) && (lower.Length == tag.Length || lower[tag.Length] is ' ' or '>' or '\t' or '\n' or '\r' or '\f' or '/');

    private static IReadOnlyList<Directory>? ReadMetadata(Stream content)
    {
        try
        {
            return ImageMetadataReader.ReadMetadata(content);
        }
        catch (Exception)
        {
            // Bytes that start like a known type and then are not one of them: the reader's exceptions are many kinds.
            return null;
        }
    }

    /// <summary>A PNG, JPEG, GIF or WebP whose size in pixels can be read; anything else is not shown as an image.</summary>
    private static DetectedType? ImageOf(FileType fileType, IReadOnlyList<Directory> metadata)
    {
        var (contentType, size) = fileType switch
        {
            FileType.Png => (Png, SizeOf<PngDirectory>(metadata, PngDirectory.TagImageWidth, PngDirectory.TagImageHeight)),
            FileType.Jpeg => (Jpeg, SizeOf<JpegDirectory>(metadata, JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight)),
            FileType.Gif => (Gif, SizeOf<GifHeaderDirectory>(metadata, GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight)),
            FileType.WebP => (WebP, SizeOf<WebPDirectory>(metadata, WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight)),
            _ => (null, null),
        };
        return contentType is not null && size is var (width, height) ? new DetectedType(contentType, width, height) : null;
    }

    private static (int Width, int Height)? SizeOf<T>(IReadOnlyList<Directory> metadata, int widthTag, int heightTag)
        where T : Directory
    {
        foreach (var directory in metadata.OfType<T>())
        {
            if (directory.TryGetInt32(widthTag, out var width) && directory.TryGetInt32(heightTag, out var height) && width > 0 && height > 0)
            {
                return (width, height);
            }
        }

        return null;
    }
}
