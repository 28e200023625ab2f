using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using static Chat.Tests.Conversations.Plans;

namespace Chat.Tests.Messaging;

/// <summary>How a batch claims uploads for its posts and lets a deleted message's files go. No server.</summary>
public sealed class AttachmentPlanTests
{
    private static readonly ChatUser Alice = new("guest:alice", "alice");
    private static readonly ChatUser Bob = new("guest:bob", "bob");

    [Fact]
    public void APostClaimsItsOwnUnpostedUploadsAndCarriesThem()
    {
        var state = Room("lobby", RoomKinds.Public, (Alice, MemberRoles.Member));
        var photo = Upload(state, Alice, "photo.png", width: 3, height: 2);
        var notes = Upload(state, Alice, "notes.txt");

        var plan = Plan(state, Post(Alice, "look", photo.Id, notes.Id));
        Allocate(plan, "lobby");

        Codes(plan).Should().Equal([null]);
        var message = plan.NewMessages.Should().ContainSingle().Subject;
        plan.AttachmentsClaimed.Should().Equal((photo, message), (notes, message));
        MessageMapper.ReadStoredAttachments(message.Attachments).Should().Equal(
            new StoredAttachment(photo.Id, "photo.png", photo.ContentType, photo.Size, 3, 2),
            new StoredAttachment(notes.Id, "notes.txt", notes.ContentType, notes.Size, null, null));
    }

    [Fact]
    public void SomeoneElsesUploadAnUnknownOneOrAPostedOneIsRefusedAndNothingIsPosted()
    {
        var state = Room("lobby", RoomKinds.Public, (Alice, MemberRoles.Member), (Bob, MemberRoles.Member));
        var bobs = Upload(state, Bob, "b.png");
        var posted = Upload(state, Alice, "p.png");
        posted.Room = "lobby";
        posted.MessageSequence = 1;
        var unknown = Guid.NewGuid().ToString("N");
        state.Attachments[unknown] = null;

        var plan = Plan(state, Post(Alice, "x", bobs.Id), Post(Alice, "y", posted.Id), Post(Alice, "z", unknown));
        Allocate(plan, "lobby");

        Codes(plan).Should().Equal(ChatErrorCodes.InvalidAttachment, ChatErrorCodes.InvalidAttachment, ChatErrorCodes.InvalidAttachment);
        plan.NewMessages.Should().BeEmpty();
        plan.AttachmentsClaimed.Should().BeEmpty();
    }

    [Fact]
    public void TwoPostsOfOneBatchCannotClaimOneUpload()
    {
        var state = Room("lobby", RoomKinds.Public, (Alice, MemberRoles.Member));
        var photo = Upload(state, Alice, "photo.png");

        var plan = Plan(state, Post(Alice, "first", photo.Id), Post(Alice, "second", photo.Id));
        Allocate(plan, "lobby");

        Codes(plan).Should().Equal(null, ChatErrorCodes.InvalidAttachment);
        plan.AttachmentsClaimed.Should().ContainSingle().Which.Message.Content.Should().Be("first");
    }

    [Fact]
    public void DeletingAMessageLetsItsAttachmentsGoAndItsTombstoneHasNone()
    {
        var state = Room("lobby", RoomKinds.Public, (Alice, MemberRoles.Member));
        var photo = Upload(state, Alice, "photo.png");
        var stored = state.Add(new MessageRecord
        {
            Id = "m1", Room = "lobby", Sequence = 1, SenderId = Alice.Id, SenderName = Alice.Name, Content = "look", SentAt = Now,
            Attachments = MessageMapper.WriteAttachments([photo]),
        });

        var plan = Plan(state, new DeleteRequest("lobby", Alice, "m1"));
        Allocate(plan, "lobby");

        Codes(plan).Should().Equal([null]);
        plan.AttachmentsDeleted.Should().Equal(photo.Id);
        stored.Attachments.Should().BeNull();
    }

    private static PostRequest Post(ChatUser user, string content, params string[] attachmentIds) =>
        new("lobby", user, content, null, null, []) { AttachmentIds = attachmentIds };

    private static AttachmentRecord Upload(BatchState state, ChatUser owner, string fileName, int? width = null, int? height = null)
    {
        var attachment = new AttachmentRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            OwnerId = owner.Id,
            FileName = fileName,
            ContentType = width is null ? "text/plain" : "image/png",
            Size = 100,
            Width = width,
            Height = height,
            UploadedAt = Now,
        };
        state.Attachments[attachment.Id] = attachment;
        return attachment;
    }
}
