using System.Net;
using Chat.Server.Attachments;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Attachments;

/// <summary>A server whose unposted uploads live three seconds and whose cleanup runs every second.</summary>
public sealed class QuickCleanupFixture : ChatServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Attachments:UnpostedLifetime"] = "00:00:03",
        ["Attachments:CleanupInterval"] = "00:00:01",
    };
}

/// <summary>Uploads nobody posts do not stay, nor do files that no row names (what a crash leaves).</summary>
public sealed class AttachmentCleanupTests(QuickCleanupFixture fixture) : IClassFixture<QuickCleanupFixture>
{
    private ChatServer Server => fixture.Server;

    private string AttachmentsFolder => Path.Combine(Server.DataDirectory, "attachments");

    [Fact]
    public async Task AnUploadNobodyPostsIsRemovedAfterItsLifetime()
    {
        var alice = await Server.GetTokenAsync(TestDefaults.UniqueUser("alice"));
        var attachment = await Uploads.UploadAsync(Server.Http, alice.AccessToken, SampleFiles.Png, "later.png");
        var file = Path.Combine(AttachmentsFolder, attachment.Id[..2], attachment.Id);
        File.Exists(file).Should().BeTrue();

        await Eventually.HoldsAsync(() => !File.Exists(file), "the unposted upload's file is removed");

        (await Uploads.RowsOfAsync(Server.Services, alice.UserId)).Should().BeEmpty();
        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);
        fetched.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task APostedUploadOutlivesTheUnpostedLifetime()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var token = (await Server.GetTokenAsync(alice.UserName)).AccessToken;
        var room = TestDefaults.UniqueRoom("keep");
        await alice.JoinRoom(room);
        var posted = await Uploads.UploadAsync(Server.Http, token, SampleFiles.Png, "kept.png");
        var message = await alice.PostMessage(room, new PostMessageRequest("", AttachmentIds: [posted.Id]));
        var forgotten = await Uploads.UploadAsync(Server.Http, token, SampleFiles.Gif, "forgotten.gif");

        // The later upload going shows a pass ran after both were past their lifetime.
        await Eventually.HoldsAsync(
            () => !File.Exists(Path.Combine(AttachmentsFolder, forgotten.Id[..2], forgotten.Id)), "the unposted upload is removed");

        (await Uploads.RowsOfAsync(Server.Services, alice.UserId)).Should().ContainSingle(a => a.Id == posted.Id);
        using var fetched = await Uploads.GetAsync(Server.Http, message.Attachments[0].Url);
        fetched.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OldFilesWithoutARowAreRemovedAndYoungOnesAreLeftAlone()
    {
        var old = WriteOrphan(AttachmentIds.New(), age: TimeSpan.FromHours(2));
        var oldPartial = WriteOrphan(AttachmentIds.New(), age: TimeSpan.FromHours(2), partial: true);
        // Young bytes may be an upload whose row is being written right now.
        var young = WriteOrphan(AttachmentIds.New(), age: TimeSpan.Zero);
        var notAnAttachment = Path.Combine(AttachmentsFolder, "README");
        await File.WriteAllTextAsync(notAnAttachment, "not ours");
        File.SetLastWriteTimeUtc(notAnAttachment, DateTime.UtcNow.AddDays(-1));

        await Eventually.HoldsAsync(() => !File.Exists(old) && !File.Exists(oldPartial), "the old orphans are removed");

        File.Exists(young).Should().BeTrue();
        File.Exists(notAnAttachment).Should().BeTrue("only files named like attachments are the cleanup's");
        Server.Logs.Entries.Should().NotContain(e => e.Category.StartsWith("Chat.", StringComparison.Ordinal), "every pass succeeded");
    }

    private string WriteOrphan(string id, TimeSpan age, bool partial = false)
    {
        var path = partial ? Path.Combine(AttachmentsFolder, "partial", id) : Path.Combine(AttachmentsFolder, id[..2], id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, SampleFiles.Random(100));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }
}
