using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Attachments;

/// <summary>
/// Once posted, a file is readable by whoever may read its room: with the signed URL each of them gets in the
/// message, or with their own bearer token; nobody else gets it without a link.
/// </summary>
public sealed class PostedAttachmentTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task APostedFileIsServedToTheRoomsReadersByTokenAndToNobodyElse()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        var carol = await Server.GetTokenAsync(TestDefaults.UniqueUser("carol"));
        var aliceToken = (await Server.GetTokenAsync(alice.UserName)).AccessToken;
        var bobToken = (await Server.GetTokenAsync(bob.UserName)).AccessToken;
        var room = TestDefaults.UniqueRoom("private");
        await alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId]));
        await alice.JoinRoom(room);
        var uploaded = await Uploads.UploadAsync(Server.Http, aliceToken, SampleFiles.Png, "plan.png");

        var message = await alice.PostMessage(room, new PostMessageRequest("", AttachmentIds: [uploaded.Id]));

        var posted = message.Attachments.Should().ContainSingle().Subject;
        posted.Should().BeEquivalentTo(uploaded, options => options.Excluding(a => a.Url));
        var bare = $"{ChatRoutes.Attachments}/{uploaded.Id}";
        using (var byMember = await Uploads.GetAsync(Server.Http, bare, bobToken))
        {
            byMember.StatusCode.Should().Be(HttpStatusCode.OK, "a member may read the room");
            (await byMember.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Png);
            AttachmentHttpTests.ShouldHaveSafeHeaders(byMember);
        }

        using (var byUploader = await Uploads.GetAsync(Server.Http, bare, aliceToken))
        {
            byUploader.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var byStranger = await Uploads.GetAsync(Server.Http, bare, carol.AccessToken))
        {
            byStranger.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the room is private and carol is no member");
            (await Uploads.ProblemCodeAsync(byStranger)).Should().Be(ChatErrorCodes.Forbidden);
        }

        using (var byLink = await Uploads.GetAsync(Server.Http, posted.Url))
        {
            byLink.StatusCode.Should().Be(HttpStatusCode.OK, "the message's own link needs no token");
        }

        var history = await bob.GetHistory(room, null, 10);
        var read = history.Should().ContainSingle().Subject.Attachments.Should().ContainSingle().Subject;
        using (var byHistoryLink = await Uploads.GetAsync(Server.Http, read.Url))
        {
            (await byHistoryLink.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Png, "every read signs a link of its own");
        }
    }

    [Fact]
    public async Task InAPublicRoomAnyoneWithATokenMayFetchAPostedFile()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var dave = await Server.GetTokenAsync(TestDefaults.UniqueUser("dave"));
        var room = TestDefaults.UniqueRoom("lobby");
        await alice.JoinRoom(room);
        var uploaded = await Uploads.UploadAsync(Server.Http, (await Server.GetTokenAsync(alice.UserName)).AccessToken, SampleFiles.PlainText, "notes.txt");
        await alice.PostMessage(room, new PostMessageRequest("notes", AttachmentIds: [uploaded.Id]));

        using var byAnyone = await Uploads.GetAsync(Server.Http, $"{ChatRoutes.Attachments}/{uploaded.Id}", dave.AccessToken);

        byAnyone.StatusCode.Should().Be(HttpStatusCode.OK);
        byAnyone.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
    }

    [Fact]
    public async Task AnotherUsersUploadCannotBePostedNorOneUploadTwice()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var eve = await Server.ConnectAsync(TestDefaults.UniqueUser("eve"));
        var room = TestDefaults.UniqueRoom("claims");
        await alice.JoinRoom(room);
        await eve.JoinRoom(room);
        var uploaded = await Uploads.UploadAsync(Server.Http, (await Server.GetTokenAsync(alice.UserName)).AccessToken, SampleFiles.Gif, "mine.gif");

        await Infrastructure.Conversations.Rejected(
            () => eve.PostMessage(room, new PostMessageRequest("mine now", AttachmentIds: [uploaded.Id])), ChatErrorCodes.InvalidAttachment);
        await alice.PostMessage(room, new PostMessageRequest("first", AttachmentIds: [uploaded.Id]));
        await Infrastructure.Conversations.Rejected(
            () => alice.PostMessage(room, new PostMessageRequest("again", AttachmentIds: [uploaded.Id])), ChatErrorCodes.InvalidAttachment);
    }

    [Fact]
    public async Task DeletingTheMessageDeletesItsFile()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("regret");
        await alice.JoinRoom(room);
        var uploaded = await Uploads.UploadAsync(Server.Http, (await Server.GetTokenAsync(alice.UserName)).AccessToken, SampleFiles.Png, "oops.png");
        var message = await alice.PostMessage(room, new PostMessageRequest("oops", AttachmentIds: [uploaded.Id]));
        var file = Path.Combine(Server.DataDirectory, "attachments", uploaded.Id[..2], uploaded.Id);
        File.Exists(file).Should().BeTrue();

        await alice.DeleteMessage(room, message.Id);

        await Eventually.HoldsAsync(() => !File.Exists(file), "the deleted message's file is removed");
        using var fetched = await Uploads.GetAsync(Server.Http, message.Attachments[0].Url);
        fetched.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
