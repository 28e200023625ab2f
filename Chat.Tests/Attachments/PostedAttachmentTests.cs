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

    [Fact]
    public async Task FilesTravelWithTheirMessageThroughRepliesEventsAndSearchAndGoWithItsDelete()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        var token = (await Server.GetTokenAsync(alice.UserName)).AccessToken;
        var room = TestDefaults.UniqueRoom("files");
        var word = "w" + Guid.NewGuid().ToString("N")[..10];
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var photo = await Uploads.UploadAsync(Server.Http, token, SampleFiles.Png, "photo.png");
        var notes = await Uploads.UploadAsync(Server.Http, token, SampleFiles.PlainText, "notes.txt");
        var captioned = await Uploads.UploadAsync(Server.Http, token, SampleFiles.Gif, "cat.gif");

        var filesAlone = await alice.PostMessage(room, new PostMessageRequest("  ", AttachmentIds: [photo.Id, notes.Id]));
        var reply = await bob.PostMessage(room, new PostMessageRequest("nice", ReplyToId: filesAlone.Id));
        var withCaption = await alice.PostMessage(room, new PostMessageRequest($"{word} look at this cat", AttachmentIds: [captioned.Id]));

        filesAlone.Content.Should().BeEmpty("files alone need no text");
        filesAlone.Attachments.Select(a => a.Id).Should().Equal(photo.Id, notes.Id);
        reply.ReplyTo!.Preview.Should().Be("📎 photo.png, 📎 notes.txt", "a message of files alone is quoted by their names");
        var posted = (await bob.GetEventsSince(room, 0, 10)).Events.Single(e => e.MessageId == filesAlone.Id).Message!;
        posted.Attachments.Select(a => (a.Id, a.FileName, a.ContentType, a.Width)).Should().Equal(
            (photo.Id, "photo.png", "image/png", photo.Width), (notes.Id, "notes.txt", "text/plain", (int?)null));
        var hit = (await bob.SearchMessages(new SearchRequest($"{word} cat"))).Hits.Should().ContainSingle().Subject;
        hit.Message.Attachments.Should().ContainSingle().Which.Id.Should().Be(captioned.Id);
        using (var byHitLink = await Uploads.GetAsync(Server.Http, hit.Message.Attachments[0].Url))
        {
            (await byHitLink.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Gif, "a search hit's link works like any other read's");
        }

        await alice.DeleteMessage(room, filesAlone.Id);

        var deleted = (await bob.GetEventsSince(room, 0, 10)).Events.Where(e => e.MessageId == filesAlone.Id).Select(e => e.Message!);
        deleted.Should().OnlyContain(m => m.DeletedAt != null && m.Attachments.Length == 0, "no trace of a deleted message's files is left in the log");
        (await bob.GetHistory(room, null, 10)).Single(m => m.Id == reply.Id).ReplyTo!.Preview.Should().BeEmpty();
    }

    [Fact]
    public async Task AttachmentIdsThatCannotBeUploadsAreRefusedAndNothingIsPosted()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("claims");
        await alice.JoinRoom(room);
        var uploaded = await Uploads.UploadAsync(Server.Http, (await Server.GetTokenAsync(alice.UserName)).AccessToken, SampleFiles.Png, "a.png");
        var eleven = Enumerable.Range(0, ChatLimits.MaxAttachmentsPerMessage + 1).Select(_ => Guid.NewGuid().ToString("N")).ToArray();

        await Infrastructure.Conversations.Rejected(
            () => alice.PostMessage(room, new PostMessageRequest("x", AttachmentIds: [Guid.NewGuid().ToString("N")])), ChatErrorCodes.InvalidAttachment, "an unknown id");
        await Infrastructure.Conversations.Rejected(
            () => alice.PostMessage(room, new PostMessageRequest("x", AttachmentIds: ["../../etc/passwd"])), ChatErrorCodes.InvalidAttachment, "no id looks so");
        await Infrastructure.Conversations.Rejected(
            () => alice.PostMessage(room, new PostMessageRequest("x", AttachmentIds: eleven)), ChatErrorCodes.InvalidAttachment, "at most ten");
        await Infrastructure.Conversations.Rejected(
            () => alice.PostMessage(room, new PostMessageRequest("x", AttachmentIds: [uploaded.Id, Guid.NewGuid().ToString("N")])), ChatErrorCodes.InvalidAttachment, "one bad id refuses the post");
        await Infrastructure.Conversations.Rejected(
            () => alice.PostMessage(room, new PostMessageRequest("  ", AttachmentIds: [])), ChatErrorCodes.EmptyMessage, "no text and no files");

        (await alice.GetHistory(room, null, 10)).Should().BeEmpty();
        var posted = await alice.PostMessage(room, new PostMessageRequest("", AttachmentIds: [uploaded.Id]));
        posted.Attachments.Should().ContainSingle("the upload was not claimed by the refused posts");
    }
}
