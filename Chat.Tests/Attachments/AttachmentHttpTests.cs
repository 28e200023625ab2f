using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chat.Server.Attachments;
using Chat.Server.Auth;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Attachments;

/// <summary>
/// Uploading and fetching files over HTTP (folder store): types come from the bytes, only raster images are shown
/// inline, everything else is a download that cannot run as a page of the chat's origin, and links are signed.
/// </summary>
public sealed class AttachmentHttpTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private const int TwelveMiB = 12 * 1024 * 1024;

    private ChatServer Server => fixture.Server;

    private string AttachmentsFolder => Path.Combine(Server.DataDirectory, "attachments");

    [Fact]
    public async Task APngUploadsAndComesBackInlineWithItsSize()
    {
        var alice = await Server.GetTokenAsync(TestDefaults.UniqueUser("alice"));

        using var response = await Uploads.PostAsync(Server.Http, alice.AccessToken, SampleFiles.Png, "red.png");

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var json = await response.Content.ReadAsStringAsync();
        json.Should().Contain("\"contentType\":\"image/png\"", "the JSON is camelCase");
        var attachment = System.Text.Json.JsonSerializer.Deserialize<Attachment>(json, System.Text.Json.JsonSerializerOptions.Web)!;
        attachment.Should().BeEquivalentTo(new { FileName = "red.png", ContentType = "image/png", Size = (long)SampleFiles.Png.Length, Width = 3, Height = 2 });
        AttachmentIds.IsValid(attachment.Id).Should().BeTrue();
        attachment.Url.Should().MatchRegex($"^/api/attachments/{attachment.Id}\\?expires=[0-9]+&sig=[A-Za-z0-9_-]+$");
        response.Headers.Location!.OriginalString.Should().Be(attachment.Url);

        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);

        fetched.StatusCode.Should().Be(HttpStatusCode.OK);
        (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Png);
        fetched.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        fetched.Content.Headers.ContentLength.Should().Be(SampleFiles.Png.Length);
        fetched.Content.Headers.ContentDisposition!.DispositionType.Should().Be("inline");
        fetched.Content.Headers.ContentDisposition.FileNameStar.Should().Be("red.png");
        ShouldHaveSafeHeaders(fetched);
    }

    [Theory]
    [InlineData("gif", "still.gif", "image/gif", 5, 4)]
    [InlineData("webp", "photo.webp", "image/webp", 7, 6)]
    [InlineData("jpeg", "photo.jpg", "image/jpeg", 4, 3)]
    public async Task OtherImagesAreShownInlineToo(string kind, string fileName, string contentType, int width, int height)
    {
        var bytes = kind switch { "gif" => SampleFiles.Gif, "webp" => SampleFiles.WebP, _ => SampleFiles.Jpeg };
        var bob = await Server.GetTokenAsync(TestDefaults.UniqueUser("bob"));

        var attachment = await Uploads.UploadAsync(Server.Http, bob.AccessToken, bytes, fileName);
        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);

        attachment.Should().BeEquivalentTo(new { ContentType = contentType, Width = width, Height = height });
        fetched.Content.Headers.ContentType!.MediaType.Should().Be(contentType);
        fetched.Content.Headers.ContentDisposition!.DispositionType.Should().Be("inline");
    }

    [Theory]
    [InlineData("svg", "drawing.svg", "image/png", "image/svg+xml")]
    [InlineData("html", "cute-cat.png", "image/png", "text/html")]
    [InlineData("text", "notes.txt", "text/html", "text/plain")]
    [InlineData("binary", "photo.png", "image/png", "application/octet-stream")]
    public async Task EverythingButRasterImagesComesBackAsADownloadThatCannotRun(string kind, string fileName, string claimedType, string detectedType)
    {
        var bytes = kind switch
        {
            "svg" => SampleFiles.SvgWithScript,
            "html" => SampleFiles.Html,
            "text" => SampleFiles.PlainText,
            _ => SampleFiles.Random(5000),
        };
        var mallory = await Server.GetTokenAsync(TestDefaults.UniqueUser("mallory"));

        using var response = await Uploads.PostAsync(Server.Http, mallory.AccessToken, bytes, fileName, clientContentType: claimedType);
        var attachment = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Attachment>(response.Content))!;
        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);

        attachment.Should().BeEquivalentTo(new { ContentType = detectedType, Width = (int?)null, Height = (int?)null, FileName = fileName },
            "the type is read from the bytes, not from the name or the type the client sent");
        fetched.StatusCode.Should().Be(HttpStatusCode.OK);
        (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
        fetched.Content.Headers.ContentType!.ToString().Should().Be("application/octet-stream");
        fetched.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        fetched.Content.Headers.ContentDisposition.FileNameStar.Should().Be(fileName);
        ShouldHaveSafeHeaders(fetched);
    }

    [Fact]
    public async Task TheFileNameIsKeptWithoutFoldersOrControlCharactersAndOfferedInUtf8()
    {
        var carol = await Server.GetTokenAsync(TestDefaults.UniqueUser("carol"));

        var attachment = await Uploads.UploadAsync(Server.Http, carol.AccessToken, SampleFiles.PlainText, "C:\\fakepath\\Grüße\u202Etxt.exe");
        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);

        attachment.FileName.Should().Be("Grüßetxt.exe");
        var disposition = fetched.Content.Headers.GetValues("Content-Disposition").Single();
        disposition.Should().Contain("filename*=UTF-8''Gr%C3%BC%C3%9Fetxt.exe");
        fetched.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("Grüßetxt.exe");
    }

    [Fact]
    public async Task AnUploadWithoutAValidTokenIs401()
    {
        using var anonymous = await Uploads.PostAsync(Server.Http, token: null, SampleFiles.Png, "a.png");
        using var forged = await Uploads.PostAsync(Server.Http, token: "not.a.token", SampleFiles.Png, "a.png");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        forged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ABodyThatIsNotMultipartOrHasNoFileIs400InvalidRequest()
    {
        var dave = await Server.GetTokenAsync(TestDefaults.UniqueUser("dave"));

        using var json = await SendAsync(dave.AccessToken, new StringContent("{\"file\":\"x\"}", Encoding.UTF8, "application/json"));
        using var noFile = await SendAsync(dave.AccessToken, new MultipartFormDataContent { { new StringContent("hello"), "comment" } });
        using var otherName = await SendAsync(dave.AccessToken, new MultipartFormDataContent { { new ByteArrayContent(SampleFiles.Png), "picture", "a.png" } });
        using var truncated = await SendAsync(dave.AccessToken, new ByteArrayContent([.. RawUpload.FilePartStart(), .. SampleFiles.Png]) { Headers = { ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={RawUpload.Boundary}") } });

        foreach (var response in new[] { json, noFile, otherName, truncated })
        {
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, string.Join('\n', Server.Logs.Errors));
            (await Uploads.ProblemCodeAsync(response)).Should().Be(ChatErrorCodes.InvalidRequest);
        }

        (await Uploads.RowsOfAsync(Server.Services, dave.UserId)).Should().BeEmpty();
        Uploads.FilesIn(Path.Combine(AttachmentsFolder, "partial")).Should().BeEmpty("a truncated upload leaves nothing behind");
        Server.Logs.Errors.Should().BeEmpty("a client's bad upload is no server error");
    }

    [Fact]
    public async Task AnUploadDeclaredLargerThanTheLimitIsRefusedBeforeItsBodyIsSent()
    {
        var erin = await Server.GetTokenAsync(TestDefaults.UniqueUser("erin"));
        var filesBefore = Uploads.FilesIn(AttachmentsFolder);

        await using var upload = await RawUpload.StartAsync(Server.BaseAddress, erin.AccessToken, contentLength: TwelveMiB + 1024);
        // Not one byte of the body is sent: the answer cannot have waited for it.
        var answer = await upload.ReadToEndAsync();

        answer.Should().StartWith("HTTP/1.1 413");
        answer.Should().Contain("Connection: close").And.Contain("\"code\":\"too_large\"").And.Contain("\"maxBytes\":10485760");
        (await Uploads.RowsOfAsync(Server.Services, erin.UserId)).Should().BeEmpty();
        Uploads.FilesIn(AttachmentsFolder).Should().BeEquivalentTo(filesBefore);
    }

    [Fact]
    public async Task AStreamedUploadIsRefusedAsSoonAsItPassesTheLimitAndNothingIsKept()
    {
        var frank = await Server.GetTokenAsync(TestDefaults.UniqueUser("frank"));
        var filesBefore = Uploads.FilesIn(AttachmentsFolder);
        await using var upload = await RawUpload.StartAsync(Server.BaseAddress, frank.AccessToken, contentLength: null);
        var answer = upload.ReadToEndAsync();

        // 12 MiB of file in chunks, and then the body is left open: it never ends, so an answer that comes must
        // have come while the server was still reading it.
        long sent = 0;
        try
        {
            await upload.WriteChunkAsync(RawUpload.FilePartStart());
            var chunk = SampleFiles.Random(64 * 1024);
            while (sent < TwelveMiB && !answer.IsCompleted)
            {
                await upload.WriteChunkAsync(chunk);
                sent += chunk.Length;
            }
        }
        catch (IOException)
        {
            // The server closed the connection after its answer.
        }

        (await answer).Should().StartWith("HTTP/1.1 413").And.Contain("\"code\":\"too_large\"");
        (await Uploads.RowsOfAsync(Server.Services, frank.UserId)).Should().BeEmpty();
        Uploads.FilesIn(AttachmentsFolder).Should().BeEquivalentTo(filesBefore, "the bytes stored up to the limit are removed");
        Server.Logs.Errors.Should().BeEmpty("a refused upload is no server error");
    }

    [Fact]
    public async Task AClientThatWaitsForContinueGets413WithoutSendingTheBody()
    {
        var grace = await Server.GetTokenAsync(TestDefaults.UniqueUser("grace"));
        var file = new CountingContent(TwelveMiB);
        using var form = new MultipartFormDataContent { { file, "file", "big.bin" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.Attachments) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", grace.AccessToken);
        request.Headers.ExpectContinue = true;
        // The client waits for "100 Continue" this long before it sends the body anyway (1 s by default).
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TestDefaults.Timeout }) { BaseAddress = Server.BaseAddress };

        using var response = await http.SendAsync(request).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await Uploads.ProblemCodeAsync(response)).Should().Be(ChatErrorCodes.TooLarge);
        file.Sent.Should().Be(0, "the answer came from the declared length, before a byte of the file was asked for");
        (await Uploads.RowsOfAsync(Server.Services, grace.UserId)).Should().BeEmpty();
    }

    [Fact]
    public async Task AFileOfExactlyTheLimitIsAccepted()
    {
        var heidi = await Server.GetTokenAsync(TestDefaults.UniqueUser("heidi"));
        var bytes = SampleFiles.Random((int)ChatLimits.DefaultAttachmentMaxBytes, seed: 7);

        var attachment = await Uploads.UploadAsync(Server.Http, heidi.AccessToken, bytes, "exactly.bin");
        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);

        attachment.Size.Should().Be(ChatLimits.DefaultAttachmentMaxBytes);
        (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
    }

    [Fact]
    public async Task AnExpiredOrTamperedLinkIs403AndNoLinkAtAllIs401()
    {
        var ivan = await Server.GetTokenAsync(TestDefaults.UniqueUser("ivan"));
        var attachment = await Uploads.UploadAsync(Server.Http, ivan.AccessToken, SampleFiles.Png, "a.png");
        var other = await Uploads.UploadAsync(Server.Http, ivan.AccessToken, SampleFiles.Gif, "b.gif");
        var signedHoursAgo = new AttachmentLinks(Server.Services.GetRequiredService<SigningKeyProvider>(), new FixedTime(DateTime.UtcNow.AddHours(-3)));
        var expired = signedHoursAgo.UrlFor(attachment.Id);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), attachment.Url).Query);
        var otherQuery = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), other.Url).Query);
        var bare = $"{ChatRoutes.Attachments}/{attachment.Id}";

        var refused = new Dictionary<string, string>
        {
            ["expired"] = expired,
            ["later expiry, same signature"] = $"{bare}?expires={long.Parse(query["expires"]!, System.Globalization.CultureInfo.InvariantCulture) + 3600}&sig={query["sig"]}",
            ["another file's signature"] = $"{bare}?expires={otherQuery["expires"]}&sig={otherQuery["sig"]}",
            ["a changed signature"] = $"{bare}?expires={query["expires"]}&sig={Flip(query["sig"]!)}",
            ["no signature"] = $"{bare}?expires={query["expires"]}",
            ["a signature without expiry"] = $"{bare}?sig={query["sig"]}",
            ["an expiry that is no number"] = $"{bare}?expires=soon&sig={query["sig"]}",
        };
        foreach (var (what, url) in refused)
        {
            using var response = await Uploads.GetAsync(Server.Http, url);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden, what);
            (await Uploads.ProblemCodeAsync(response)).Should().Be(ChatErrorCodes.Forbidden, what);
        }

        using var unsigned = await Uploads.GetAsync(Server.Http, bare);
        unsigned.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        unsigned.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task AnUnknownOrMalformedIdIs404WhateverIsGiven()
    {
        var judy = await Server.GetTokenAsync(TestDefaults.UniqueUser("judy"));
        var links = Server.Services.GetRequiredService<AttachmentLinks>();
        var unknown = AttachmentIds.New();

        foreach (var url in new[]
                 {
                     links.UrlFor(unknown),
                     $"{ChatRoutes.Attachments}/{unknown}",
                     $"{ChatRoutes.Attachments}/{unknown.ToUpperInvariant()}",
                     $"{ChatRoutes.Attachments}/not-an-id",
                     $"{ChatRoutes.Attachments}/..%2F..%2Fchat.db",
                 })
        {
            using var response = await Uploads.GetAsync(Server.Http, url, judy.AccessToken);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, url);
        }
    }

    [Fact]
    public async Task TheUploaderMayFetchAnUnpostedFileWithTheirTokenAndNobodyElseMay()
    {
        var kim = await Server.GetTokenAsync(TestDefaults.UniqueUser("kim"));
        var lou = await Server.GetTokenAsync(TestDefaults.UniqueUser("lou"));
        var attachment = await Uploads.UploadAsync(Server.Http, kim.AccessToken, SampleFiles.Png, "mine.png");
        var bare = $"{ChatRoutes.Attachments}/{attachment.Id}";
        var expired = new AttachmentLinks(Server.Services.GetRequiredService<SigningKeyProvider>(), new FixedTime(DateTime.UtcNow.AddHours(-3))).UrlFor(attachment.Id);

        using var byUploader = await Uploads.GetAsync(Server.Http, bare, kim.AccessToken);
        using var byUploaderWithExpiredLink = await Uploads.GetAsync(Server.Http, expired, kim.AccessToken);
        using var byOther = await Uploads.GetAsync(Server.Http, bare, lou.AccessToken);
        using var byOtherWithExpiredLink = await Uploads.GetAsync(Server.Http, expired, lou.AccessToken);
        using var byOtherWithTheLink = await Uploads.GetAsync(Server.Http, attachment.Url, lou.AccessToken);

        byUploader.StatusCode.Should().Be(HttpStatusCode.OK);
        (await byUploader.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Png);
        ShouldHaveSafeHeaders(byUploader);
        byUploaderWithExpiredLink.StatusCode.Should().Be(HttpStatusCode.OK, "the token is enough");
        byOther.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        byOtherWithExpiredLink.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        byOtherWithTheLink.StatusCode.Should().Be(HttpStatusCode.OK, "whoever has a valid link was handed it by someone who may read the file");
    }

    [Fact]
    public async Task HeadAndRangesAreServed()
    {
        var mia = await Server.GetTokenAsync(TestDefaults.UniqueUser("mia"));
        var bytes = SampleFiles.Random(100_000, seed: 3);
        var attachment = await Uploads.UploadAsync(Server.Http, mia.AccessToken, bytes, "data.bin");

        using var head = await Uploads.GetAsync(Server.Http, attachment.Url, method: HttpMethod.Head);
        using var range = await Uploads.GetAsync(Server.Http, attachment.Url, configure: r => r.Headers.Range = new RangeHeaderValue(1000, 1999));
        using var revalidated = await Uploads.GetAsync(Server.Http, attachment.Url, configure: r => r.Headers.IfNoneMatch.Add(head.Headers.ETag!));

        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.Should().Be(bytes.Length);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        ShouldHaveSafeHeaders(head);
        range.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await range.Content.ReadAsByteArrayAsync()).Should().Equal(bytes[1000..2000]);
        revalidated.StatusCode.Should().Be(HttpStatusCode.NotModified);
    }

    internal static void ShouldHaveSafeHeaders(HttpResponseMessage response)
    {
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("Content-Security-Policy").Should().Equal("sandbox; default-src 'none'");
        response.Headers.NonValidated["Cache-Control"].ToString().Should().Be("private, max-age=3600");
    }

    private static string Flip(string signature) => (signature[0] == 'A' ? "B" : "A") + signature[1..];

    private async Task<HttpResponseMessage> SendAsync(string token, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.Attachments) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Server.Http.SendAsync(request).WithTimeout();
    }

    /// <summary>A file of zeros of a declared length that counts how much of it was sent.</summary>
    private sealed class CountingContent(long length) : HttpContent
    {
        private long _sent;

        public long Sent => Interlocked.Read(ref _sent);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            for (long left = length; left > 0; left -= chunk.Length)
            {
                var count = (int)Math.Min(chunk.Length, left);
                await stream.WriteAsync(chunk.AsMemory(0, count));
                Interlocked.Add(ref _sent, count);
            }
        }

        protected override bool TryComputeLength(out long length_)
        {
            length_ = length;
            return true;
        }
    }
}
