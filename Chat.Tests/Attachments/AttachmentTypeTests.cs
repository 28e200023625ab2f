using System.Text;
using Chat.Server.Attachments;
using Chat.Shared;

namespace Chat.Tests.Attachments;

/// <summary>Types are read from the bytes, never from the name or the client's word; names are made safe to show and offer.</summary>
public sealed class AttachmentTypeTests
{
    public static TheoryData<string, byte[], string, int, int> Images => new()
    {
        { "png", SampleFiles.Png, "image/png", 3, 2 },
        { "jpeg", SampleFiles.Jpeg, "image/jpeg", 4, 3 },
        { "gif", SampleFiles.Gif, "image/gif", 5, 4 },
        { "webp", SampleFiles.WebP, "image/webp", 7, 6 },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void ImagesAreKnownByTheirBytesWithTheirSize(string kind, byte[] bytes, string contentType, int width, int height)
    {
        AttachmentTypes.Detect(new MemoryStream(bytes)).Should().Be(new DetectedType(contentType, width, height), kind);
        AttachmentTypes.IsInline(contentType).Should().BeTrue();
    }

    [Fact]
    public void AnSvgIsAnSvgAndIsNeverInline()
    {
        AttachmentTypes.Detect(new MemoryStream(SampleFiles.SvgWithScript)).Should().Be(new DetectedType("image/svg+xml"));
        AttachmentTypes.Detect(Text("<svg xmlns='http://www.w3.org/2000/svg'/>")).ContentType.Should().Be("image/svg+xml");
        AttachmentTypes.Detect(Text("\uFEFF  <!-- drawn by hand -->\n<!DOCTYPE svg>\n<SVG></SVG>")).ContentType.Should().Be("image/svg+xml");
        AttachmentTypes.IsInline("image/svg+xml").Should().BeFalse();
    }

    [Theory]
    [InlineData("<!DOCTYPE html><p>hi")]
    [InlineData("<html><body>hi</body></html>")]
    [InlineData("  \n<script>alert(1)</script>")]
    [InlineData("<IFRAME src=x>")]
    [InlineData("<b>bold</b>")]
    [InlineData("<!-- a comment --><div>x</div>")]
    [InlineData("<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'></html>")]
    public void HtmlIsKnownByHowItStartsAsBrowsersSniffIt(string html)
    {
        AttachmentTypes.Detect(Text(html)).ContentType.Should().Be("text/html");
        AttachmentTypes.IsInline("text/html").Should().BeFalse();
    }

    [Theory]
    [InlineData("<?xml version='1.0'?><note>x</note>", "application/xml")]
    [InlineData("<bodies> are not <body>", "text/plain")]
    [InlineData("plain words, then <script>alert(1)</script>", "text/plain")]
    [InlineData("BM looks like a bitmap to a two-letter check", "text/plain")]
    [InlineData("P1 is the start of a Netpbm file, and of this sentence", "text/plain")]
    [InlineData("%PDF-1.7\n1 0 obj", "application/pdf")]
    public void TextIsTextMarkupIsMarkup(string text, string contentType) =>
        AttachmentTypes.Detect(Text(text)).ContentType.Should().Be(contentType);

    [Fact]
    public void Utf8TextIsPlainTextWhateverItsLength()
    {
        AttachmentTypes.Detect(new MemoryStream(SampleFiles.PlainText)).Should().Be(new DetectedType("text/plain"));
        // Long enough that a multi-byte character falls across the reader's buffers.
        var long_ = string.Concat(Enumerable.Repeat("Grüße, 世界! 🙂 ", 20_000));
        AttachmentTypes.Detect(Text(long_)).ContentType.Should().Be("text/plain");
    }

    [Fact]
    public void EverythingElseIsBinary()
    {
        AttachmentTypes.Detect(new MemoryStream(SampleFiles.Random(10_000))).Should().Be(new DetectedType("application/octet-stream"));
        AttachmentTypes.Detect(new MemoryStream([])).ContentType.Should().Be("application/octet-stream");
        AttachmentTypes.Detect(new MemoryStream("text with a NUL\0 in it"u8.ToArray())).ContentType.Should().Be("application/octet-stream");
        AttachmentTypes.Detect(new MemoryStream([0x68, 0x69, 0xC3, 0x28])).ContentType.Should().Be("application/octet-stream", "invalid UTF-8 is not text");
        AttachmentTypes.Detect(new MemoryStream(Encoding.Unicode.GetBytes("UTF-16 is no UTF-8"))).ContentType.Should().Be("application/octet-stream");
    }

    [Fact]
    public void AFileThatOnlyStartsLikeAnImageIsNoImage()
    {
        // A PNG signature and IHDR header with nothing after: no size can be read, so it is not served as a picture.
        AttachmentTypes.Detect(new MemoryStream(SampleFiles.Png[..16])).ContentType.Should().Be("application/octet-stream");
        AttachmentTypes.Detect(new MemoryStream(SampleFiles.Jpeg[..22])).ContentType.Should().Be("application/octet-stream");
    }

    [Fact]
    public void DetectionReadsFromWhereTheStreamIs()
    {
        var stream = new MemoryStream([.. "junk"u8, .. SampleFiles.Png]) { Position = 4 };
        AttachmentTypes.Detect(stream).ContentType.Should().Be("image/png");
    }

    [Theory]
    [InlineData("photo.png", "photo.png")]
    [InlineData("C:\\Users\\alice\\Pictures\\photo.png", "photo.png")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("dir/", "file")]
    [InlineData("", "file")]
    [InlineData(null, "file")]
    [InlineData("  ", "file")]
    [InlineData("..", "file")]
    [InlineData("bell\a and\nnewline.txt", "bell and" + "newline.txt")]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("zero\u200Bwidth.txt", "zerowidth.txt")]
    [InlineData("Grüße 🙂.txt", "Grüße 🙂.txt")]
    public void FileNamesLoseFoldersAndControlCharacters(string? uploaded, string kept) =>
        AttachmentFileNames.Clean(uploaded).Should().Be(kept);

    [Fact]
    public void LongFileNamesAreShortenedKeepingTheirExtension()
    {
        var name = AttachmentFileNames.Clean(new string('a', 300) + ".jpeg");
        name.Should().HaveLength(ChatLimits.MaxAttachmentFileNameLength).And.EndWith("aaa.jpeg");

        // A "extension" longer than an extension is cut like the rest of the name.
        AttachmentFileNames.Clean("x." + new string('b', 300)).Should().HaveLength(ChatLimits.MaxAttachmentFileNameLength);

        // A character outside the BMP is two UTF-16 units: it is kept whole or dropped whole.
        var emoji = AttachmentFileNames.Clean("a" + string.Concat(Enumerable.Repeat("🙂", 200)) + ".txt");
        emoji.Length.Should().BeLessThanOrEqualTo(ChatLimits.MaxAttachmentFileNameLength);
        emoji.Should().EndWith("🙂.txt");
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(emoji)).Should().Be(emoji, "no surrogate is left alone");
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));
}
