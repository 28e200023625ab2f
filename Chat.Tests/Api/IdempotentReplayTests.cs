using Chat.Server.Api;
using Chat.Shared;

namespace Chat.Tests.Api;

public sealed class IdempotentReplayTests
{
    private static readonly DateTime At = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TheSameRequestMatchesItsStoredMessage() =>
        IdempotentReplay.Matches(new PostMessageRequest("  hello  ", "k", Mentions: ["guest:bob"]), Stored("hello", mentions: ["guest:bob"])).Should().BeTrue();

    [Fact]
    public void OtherTextDoesNotMatch() =>
        IdempotentReplay.Matches(new PostMessageRequest("goodbye", "k"), Stored("hello")).Should().BeFalse();

    [Fact]
    public void AnotherReplyTargetDoesNotMatch()
    {
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k", ReplyToId: "m2"), Stored("hello", replyToId: "m1")).Should().BeFalse();
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k"), Stored("hello", replyToId: "m1")).Should().BeFalse();
    }

    [Fact]
    public void OtherAttachmentsDoNotMatch() =>
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k", AttachmentIds: ["a2"]), Stored("hello", attachmentIds: ["a1"])).Should().BeFalse();

    [Fact]
    public void MentionsTheServerDroppedStillMatch() =>
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k", Mentions: ["guest:bob", "guest:stranger"]), Stored("hello", mentions: ["guest:bob"]))
            .Should().BeTrue("mentions of users who cannot read the room are dropped when the message is stored");

    [Fact]
    public void AMentionTheRequestDidNotMakeDoesNotMatch() =>
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k"), Stored("hello", mentions: ["guest:bob"])).Should().BeFalse();

    [Fact]
    public void AnEditedOrDeletedMessageMatchesWhatItStillShows()
    {
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k"), Stored("hello, edited") with { EditedAt = At }).Should().BeTrue();
        IdempotentReplay.Matches(new PostMessageRequest("hello", "k"), Stored(string.Empty) with { DeletedAt = At }).Should().BeTrue();
    }

    private static ChatMessage Stored(string content, string? replyToId = null, string[]? mentions = null, string[]? attachmentIds = null) => new(
        "m9", "room", 9, "bot:ci", "ci", content, At, "k", 9, null, null,
        replyToId is null ? null : new MessageRef(replyToId, 1, "alice", "earlier"),
        mentions ?? [],
        [],
        [.. (attachmentIds ?? []).Select(id => new Attachment(id, "f.png", "image/png", 1, null, null, "/api/attachments/" + id))]);
}
