using System.Net;
using Chat.Server.Attachments;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Attachments;

/// <summary>A server process that is killed mid-upload; its cleanup runs every second.</summary>
public sealed class AttachmentCrashFixture : ChatServerProcessFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Attachments:CleanupInterval"] = "00:00:01",
    };
}

/// <summary>An upload is all or nothing, even when the process dies halfway through it (kill -9).</summary>
public sealed class AttachmentCrashTests(AttachmentCrashFixture fixture) : IClassFixture<AttachmentCrashFixture>
{
    private ChatServerProcess Server => fixture.Server;

    private string PartialFolder => Path.Combine(fixture.DataDirectory, "attachments", "partial");

    [Fact]
    public async Task AKillDuringAnUploadLeavesNothingAMessageCanNameAndTheBytesAreCleanedUp()
    {
        var alice = await Server.GetTokenAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("crash");
        var before = Uploads.FilesIn(PartialFolder);

        // Two of five declared MiB are sent, and the server is writing them when it dies.
        await using (var upload = await RawUpload.StartAsync(Server.BaseAddress, alice.AccessToken, contentLength: 5 * 1024 * 1024))
        {
            await upload.WriteAsync(RawUpload.FilePartStart("half.bin"));
            await upload.WriteAsync(SampleFiles.Random(2 * 1024 * 1024));
            await Eventually.HoldsAsync(
                () => Uploads.FilesIn(PartialFolder).Except(before).Any(path => new FileInfo(path).Length >= 1024 * 1024),
                "the server is writing the upload");
            await Server.KillAsync();
        }

        var partial = Uploads.FilesIn(PartialFolder).Except(before).Should().ContainSingle().Subject;
        var id = Path.GetFileName(partial);
        AttachmentIds.IsValid(id).Should().BeTrue();
        await Server.StartAsync();

        // The half-written bytes have no row: nothing can fetch them, and no message can name them.
        using (var http = new HttpClient { BaseAddress = Server.BaseAddress })
        {
            using var fetched = await Uploads.GetAsync(http, $"{ChatRoutes.Attachments}/{id}", alice.AccessToken);
            fetched.StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        await using (var client = await Server.ConnectAsync(alice.UserName))
        {
            await client.JoinRoom(room);
            await Infrastructure.Conversations.Rejected(() => client.PostMessage(room, new PostMessageRequest("see attached", AttachmentIds: [id])), ChatErrorCodes.InvalidAttachment);
            (await client.GetHistory(room, null, 50)).Should().BeEmpty();
        }

        // Once older than the cleanup's grace period (an hour: younger bytes may be an upload in progress), they go.
        File.SetLastWriteTimeUtc(partial, DateTime.UtcNow.AddHours(-2));
        await Eventually.HoldsAsync(() => !File.Exists(partial), "the cleanup removes the crash's leftover");
    }
}
