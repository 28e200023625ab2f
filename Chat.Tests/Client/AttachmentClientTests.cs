using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Attachments through <see cref="ChatClient"/> against a real server: an upload streams with progress, is posted, and
/// reaches the other client as a URL that opens to the same bytes; a retried post does not claim its files twice; a
/// refused upload (too large, a stale token) is the client's error and leaves the connection alone.
/// </summary>
public sealed class AttachmentClientTests(AttachmentClientTests.Fixture fixture) : IClassFixture<AttachmentClientTests.Fixture>
{
    /// <summary>Small, so that an oversized upload is quick; still several of the client's 64 KiB chunks.</summary>
    private const int MaxBytes = 256 * 1024;

    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task UploadedImageIsPostedAndTheOtherClientOpensItsUrlToTheSameBytes(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("photos");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        var png = SampleFiles.PngOf(width: 2, height: 3);
        var progress = new RecordingProgress();

        using var file = new MemoryStream(png);
        var uploaded = await alice.Client.UploadAttachmentAsync(file, "dot.png", "image/png", progress).WithTimeout();
        var posted = await alice.Client.PostMessageAsync(room, new PostMessageRequest("", AttachmentIds: [uploaded.Id])).WithTimeout();

        uploaded.Should().BeEquivalentTo(new { FileName = "dot.png", ContentType = "image/png", Size = png.Length, Width = 2, Height = 3 });
        uploaded.Id.Should().MatchRegex("^[0-9a-f]{32}$");
        uploaded.Url.Should().StartWith($"{ChatRoutes.Attachments}/{uploaded.Id}?", "the server hands out URLs relative to itself");
        progress.Reports.Should().NotBeEmpty().And.BeInAscendingOrder().And.EndWith(png.Length);
        posted.Content.Should().BeEmpty("a message of attachments needs no text");
        posted.Attachments.Should().ContainSingle().Which.Should().BeEquivalentTo(uploaded, o => o.Excluding(a => a.Url));

        var received = await bob.Messages.WaitForAsync(m => m.Room == room);
        var attachment = received.Attachments.Should().ContainSingle().Subject;
        attachment.Should().BeEquivalentTo(uploaded, o => o.Excluding(a => a.Url));
        var address = bob.Client.GetAttachmentUri(attachment);
        address.IsAbsoluteUri.Should().BeTrue();
        address.GetLeftPart(UriPartial.Authority).Should().Be(Server.BaseAddress.GetLeftPart(UriPartial.Authority));
        await using (var opened = await bob.Client.OpenAttachmentAsync(attachment).WithTimeout())
        {
            (await ReadAllAsync(opened)).Should().Equal(png);
        }

        using var anonymous = new HttpClient();
        (await anonymous.GetByteArrayAsync(address).WithTimeout()).Should().Equal(png, "the signed URL needs no token, as an <img src> has none");
        (await bob.Client.GetHistoryAsync(room).WithTimeout()).Should().ContainSingle()
            .Which.Attachments.Should().ContainSingle().Which.Id.Should().Be(uploaded.Id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ProgressReportsEachChunkUpToTheWholeSizeFromSeekableAndForwardOnlyStreams(bool seekable)
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        var progress = new RecordingProgress();

        await using Stream file = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes);
        var uploaded = await alice.Client.UploadAttachmentAsync(file, "Grüße 🎵.bin", progress: progress).WithTimeout();

        uploaded.Should().BeEquivalentTo(new { FileName = "Grüße 🎵.bin", ContentType = "application/octet-stream", Size = bytes.Length, Width = (int?)null });
        progress.Reports.Should().HaveCountGreaterThan(1, "a report per chunk sent").And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        progress.Reports[^1].Should().Be(bytes.Length);
        await using var opened = await alice.Client.OpenAttachmentAsync(uploaded).WithTimeout();
        (await ReadAllAsync(opened)).Should().Equal(bytes, "the uploader may open their own upload before it is posted");
    }

    [Fact]
    public async Task RetriedPostWithTheSameClientMessageIdAnswersTheStoredMessageWithItsAttachments()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.Json);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        using var first = new MemoryStream(SampleFiles.PngOf(1, 1));
        using var second = new MemoryStream(Encoding.UTF8.GetBytes("notes for the meeting"));
        var dot = await alice.Client.UploadAttachmentAsync(first, "dot.png").WithTimeout();
        var notes = await alice.Client.UploadAttachmentAsync(second, "notes.txt", "text/plain").WithTimeout();
        var request = new PostMessageRequest("two files", ClientMessageId: "files-1", AttachmentIds: [dot.Id, notes.Id]);

        var posted = await alice.Client.PostMessageAsync(room, request).WithTimeout();
        var repeated = await alice.Client.PostMessageAsync(room, request).WithTimeout();

        posted.Attachments.Select(a => (a.Id, a.ContentType)).Should().Equal((dot.Id, "image/png"), (notes.Id, "text/plain"));
        repeated.Should().BeEquivalentTo(posted, o => o.For(m => m.Attachments).Exclude(a => a.Url), "a repeat answers the stored message");
        (await alice.Client.GetHistoryAsync(room).WithTimeout()).Should().ContainSingle("the repeat stored nothing");
        var reused = () => alice.Client.PostMessageAsync(room, request with { ClientMessageId = "files-2" }).WithTimeout();
        (await reused.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.InvalidAttachment, "a posted file is not posted again");
    }

    [Theory]
    [InlineData(true, MaxBytes + 1)] // refused as the file passes the limit
    [InlineData(false, MaxBytes + 1)] // the same, sent chunked
    [InlineData(true, 4 * MaxBytes)] // refused from its Content-Length, before it is sent
    public async Task OversizedUploadFailsWithTooLargeAndTheConnectionStays(bool seekable, int size)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        var bytes = new byte[size];

        await using Stream file = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes);
        var upload = () => alice.Client.UploadAttachmentAsync(file, "big.bin").WithTimeout();

        var refused = (await upload.Should().ThrowAsync<ChatRequestException>()).Which;
        refused.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        refused.Code.Should().Be(ChatErrorCodes.TooLarge);
        alice.Client.State.Should().Be(ChatConnectionState.Connected);
        (await alice.Client.SendMessageAsync(room, "still here").WithTimeout()).Sequence.Should().Be(1);
        using var small = new MemoryStream(new byte[MaxBytes]);
        (await alice.Client.UploadAttachmentAsync(small, "just.bin").WithTimeout()).Size.Should().Be(MaxBytes, "the limit itself is allowed");
        alice.States.Items.Should().NotContain(s => s.Current == ChatConnectionState.Reconnecting);
    }

    [Fact]
    public async Task UploadWithARefusedTokenRenewsItOnceAndNeedsNoConnection()
    {
        var userName = TestDefaults.UniqueUser("carol");
        var issued = 0;
        // The first token is not one the server accepts, as after a key rotation: only the 401 reveals it.
        async Task<ChatAccessToken> ProvideAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref issued) == 1
                ? new ChatAccessToken("not-a-token", DateTimeOffset.UtcNow.AddHours(1))
                : new ChatAccessToken((await Server.GetTokenAsync(userName)).AccessToken, DateTimeOffset.UtcNow.AddHours(1));
        await using var carol = new ClientUnderTest(WithProvider(userName, ProvideAsync), userName);

        using var file = new MemoryStream(SampleFiles.PngOf(1, 1));
        var uploaded = await carol.Client.UploadAttachmentAsync(file, "dot.png").WithTimeout();

        uploaded.ContentType.Should().Be("image/png");
        issued.Should().Be(2, "the refused token was replaced once");
        carol.Logs.Entries.Should().Contain(e => e.EventId.Name == "TokenRejected");
        carol.Client.State.Should().Be(ChatConnectionState.Disconnected, "an upload needs a sign-in, not the hub");
    }

    [Fact]
    public async Task UploadRefusedAgainWithARenewedTokenFailsWithUnauthorized()
    {
        var userName = TestDefaults.UniqueUser("mallory");
        var issued = 0;
        Task<ChatAccessToken> ProvideAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref issued);
            return Task.FromResult(new ChatAccessToken("forged", DateTimeOffset.UtcNow.AddHours(1)));
        }

        await using var mallory = new ClientUnderTest(WithProvider(userName, ProvideAsync), userName);

        using var file = new MemoryStream(SampleFiles.PngOf(1, 1));
        var upload = () => mallory.Client.UploadAttachmentAsync(file, "dot.png").WithTimeout();

        var refused = (await upload.Should().ThrowAsync<ChatRequestException>()).Which;
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        refused.Code.Should().Be(ChatClientErrorCodes.Unauthorized);
        issued.Should().Be(2, "one renewal, not a loop");
    }

    [Fact]
    public async Task UrlWithABadSignatureIsOpenedWithTheTokenOfSomeoneWhoMayReadIt()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        var png = SampleFiles.PngOf(1, 1);
        using var file = new MemoryStream(png);
        var posted = await alice.Client.UploadAttachmentAsync(file, "dot.png").WithTimeout();
        using var other = new MemoryStream(png);
        var unposted = await alice.Client.UploadAttachmentAsync(other, "mine.png").WithTimeout();
        await alice.Client.PostMessageAsync(room, new PostMessageRequest(null, AttachmentIds: [posted.Id])).WithTimeout();

        // As a URL kept past its expiry looks to the server: its signature no longer holds.
        var stale = posted with { Url = Tampered(posted.Url) };
        await using (var opened = await bob.Client.OpenAttachmentAsync(stale).WithTimeout())
        {
            (await ReadAllAsync(opened)).Should().Equal(png, "bob may read the public room, and the client falls back to his token");
        }

        bob.Logs.Entries.Should().Contain(e => e.EventId.Name == "AttachmentUrlRefused");
        using var anonymous = new HttpClient();
        (await anonymous.GetAsync(bob.Client.GetAttachmentUri(stale)).WithTimeout()).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var someoneElses = () => bob.Client.OpenAttachmentAsync(unposted with { Url = Tampered(unposted.Url) }).WithTimeout();
        var refused = (await someoneElses.Should().ThrowAsync<ChatRequestException>()).Which;
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, "an unposted upload is its uploader's alone");
        refused.Code.Should().Be(ChatErrorCodes.Forbidden);
    }

    [Fact]
    public async Task AttachmentUrlsResolveAgainstTheServerAddressAndItsPath()
    {
        var attachment = new Attachment(new string('a', 32), "a.png", "image/png", 1, 1, 1, $"{ChatRoutes.Attachments}/{new string('a', 32)}?expires=1&sig=x");
        await using var atRoot = new ChatClient(ClientUnderTest.Options(new Uri("http://chat.example:5000"), "alice", ChatProtocol.Json));
        await using var behindPrefix = new ChatClient(ClientUnderTest.Options(new Uri("https://example.org/chat"), "alice", ChatProtocol.Json));
        var elsewhere = attachment with { Url = "https://cdn.example.net/a.png" };

        atRoot.GetAttachmentUri(attachment).Should().Be(new Uri($"http://chat.example:5000/api/attachments/{attachment.Id}?expires=1&sig=x"));
        behindPrefix.GetAttachmentUri(attachment).Should().Be(
            new Uri($"https://example.org/chat/api/attachments/{attachment.Id}?expires=1&sig=x"), "like the hub, under the server's path");
        atRoot.GetAttachmentUri(elsewhere).Should().Be(new Uri("https://cdn.example.net/a.png"), "an absolute URL stays as it is");
    }


    private static string Tampered(string url)
    {
        var at = url.IndexOf("sig=", StringComparison.Ordinal) + "sig=".Length;
        return url[..at] + (url[at] == 'A' ? 'B' : 'A') + url[(at + 1)..];
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy).WithTimeout();
        return copy.ToArray();
    }

    private ChatClientOptions WithProvider(string userName, Func<CancellationToken, Task<ChatAccessToken>> provider)
    {
        var options = ClientUnderTest.Options(Server.BaseAddress, userName, ChatProtocol.Json);
        options.UserName = null;
        options.AccessTokenProvider = provider;
        return options;
    }

    /// <summary>Records every report at once, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class RecordingProgress : IProgress<long>
    {
        private readonly ConcurrentQueue<long> _reports = new();

        public IReadOnlyList<long> Reports => [.. _reports];

        public void Report(long value) => _reports.Enqueue(value);
    }

    /// <summary>A stream that cannot seek nor tell its length, as a network or pipe source: the upload goes out chunked.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Attachments:MaxBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
