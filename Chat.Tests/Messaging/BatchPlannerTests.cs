using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Messaging;

/// <summary>The change pipeline's pure planning: what each change does, and which numbers it takes. No server.</summary>
public sealed class BatchPlannerTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ChatUser Alice = new("guest:alice", "alice");
    private static readonly ChatUser Bob = new("guest:bob", "bob");

    [Fact]
    public void PostsTakeConsecutiveNumbersPerRoomInBatchOrder()
    {
        var plan = Plan([Post("a", "1"), Post("b", "2"), Post("a", "3")], new BatchState());

        Allocate(plan, ("a", 10, 20), ("b", 0, 5));

        plan.NewMessages.Select(m => (m.Room, m.Sequence, m.EventSequence, m.PostedEventSequence, m.Content))
            .Should().Equal(("a", 11L, 21L, 21L, "1"), ("b", 1L, 6L, 6L, "2"), ("a", 12L, 22L, 22L, "3"));
        plan.Events.Should().BeEmpty("a post is its own message row in the log");
    }

    [Fact]
    public void ARepeatedClientMessageIdInOneBatchIsStoredOnceAndAnsweredAlike()
    {
        var plan = Plan([Post("a", "x", "c-1"), Post("a", "x", "c-1")], new BatchState());
        Allocate(plan, ("a", 0, 0));

        plan.NewMessages.Should().ContainSingle();
        plan.OutcomeOf(0).Changes.Single().Type.Should().Be(RoomEventTypes.MessagePosted);
        plan.OutcomeOf(1).Message.Should().BeSameAs(plan.OutcomeOf(0).Message);
        plan.OutcomeOf(1).Changes.Should().BeEmpty("the repeat is answered, not broadcast again");
    }

    [Fact]
    public void AnEarlierSendOfTheSameClientMessageIdIsAnsweredWithoutANumber()
    {
        var state = new BatchState();
        var stored = Stored("a", 4, Alice, "x");
        state.Retries[(Alice.Id, "c-1")] = stored;

        var plan = Plan([Post("a", "x", "c-1")], state);

        plan.Rooms.Should().BeEmpty();
        plan.OutcomeOf(0).Message.Should().BeSameAs(stored);
        plan.OutcomeOf(0).Changes.Should().BeEmpty();
    }

    [Fact]
    public void ChangesThatChangeNothingTakeNoNumber()
    {
        var state = new BatchState();
        var message = state.Add(Stored("a", 1, Alice, "same"));
        var deleted = state.Add(Stored("a", 2, Alice, string.Empty, deleted: true));
        state.StoredReactions.Add(("a", 1, "👍", Bob.Id));

        var plan = Plan(
        [
            new EditRequest("a", Alice, message.Id, "same"),
            new DeleteRequest("a", Alice, deleted.Id),
            new ReactionRequest("a", Bob, message.Id, "👍", Add: true),
            new ReactionRequest("a", Alice, message.Id, "🎉", Add: false),
        ], state);

        plan.Rooms.Should().BeEmpty();
        Enumerable.Range(0, 4).Select(i => plan.OutcomeOf(i)).Should().OnlyContain(o => o.Error == null && o.Changes.Count == 0);
    }

    [Fact]
    public void OnlyTheSenderEditsOrDeletesAndOnlyInItsOwnRoom()
    {
        var state = new BatchState();
        var message = state.Add(Stored("a", 1, Alice, "hello"));

        var plan = Plan(
        [
            new EditRequest("a", Bob, message.Id, "mine now"),
            new DeleteRequest("a", Bob, message.Id),
            new EditRequest("b", Alice, message.Id, "elsewhere"),
            new EditRequest("a", Alice, "unknown", "nothing"),
        ], state);

        Codes(plan).Should().Equal(ChatErrorCodes.Forbidden, ChatErrorCodes.Forbidden, ChatErrorCodes.NotFound, ChatErrorCodes.NotFound);
        message.Content.Should().Be("hello");
        plan.Rooms.Should().BeEmpty();
    }

    [Fact]
    public void EditsEndWithTheEditWindow()
    {
        var state = new BatchState();
        var fresh = state.Add(Stored("a", 1, Alice, "fresh", sentAt: Now.AddMinutes(-14)));
        var old = state.Add(Stored("a", 2, Alice, "old", sentAt: Now.AddMinutes(-16)));

        var plan = Plan([new EditRequest("a", Alice, fresh.Id, "fresh!"), new EditRequest("a", Alice, old.Id, "old!")], state, TimeSpan.FromMinutes(15));

        plan.OutcomeOf(0).Changes.Single().Type.Should().Be(RoomEventTypes.MessageEdited);
        plan.OutcomeOf(1).Error!.Code.Should().Be(ChatErrorCodes.EditWindowExpired);
        fresh.EditedAt.Should().Be(Now);
    }

    [Fact]
    public void ADeleteLeavesATombstoneAndTakesEveryReactionWithIt()
    {
        var state = new BatchState();
        var message = state.Add(Stored("a", 3, Alice, "secret"));
        message.Mentions = MessageMapper.WriteMentions([Bob.Id]);

        var plan = Plan([new ReactionRequest("a", Bob, message.Id, "👍", Add: true), new DeleteRequest("a", Alice, message.Id)], state);
        Allocate(plan, ("a", 3, 7));

        message.Should().BeEquivalentTo(new { Content = string.Empty, Mentions = (string?)null, Reactions = (string?)null, DeletedAt = Now, EventSequence = 9L });
        plan.Events.Select(e => (e.EventSequence, e.Type)).Should().Equal((8L, RoomEventTypes.ReactionAdded), (9L, RoomEventTypes.MessageDeleted));
        plan.Deleted.Should().Equal(message);
        plan.ReactionsChanged.Should().BeEmpty("a deleted message has no reactions to summarise");
        plan.Updated.Should().Equal(message);
    }

    [Fact]
    public void TheTwentyFirstDistinctReactionIsRefusedButAnotherVoteForAnExistingOneIsNot()
    {
        var state = new BatchState();
        var message = state.Add(Stored("a", 1, Alice, "popular"));
        message.Reactions = MessageMapper.WriteReactions([.. Enumerable.Range(0, 20).Select(i => new Reaction($":r{i}:", 1, [Alice.Id]))]);

        var plan = Plan([new ReactionRequest("a", Bob, message.Id, ":new:", Add: true), new ReactionRequest("a", Bob, message.Id, ":r3:", Add: true)], state);

        plan.OutcomeOf(0).Error!.Code.Should().Be(ChatErrorCodes.TooManyReactions);
        plan.OutcomeOf(1).Changes.Single().Type.Should().Be(RoomEventTypes.ReactionAdded);
    }

    [Fact]
    public void ChangesOfOneMessageInOneBatchSeeEachOther()
    {
        var state = new BatchState();
        var message = state.Add(Stored("a", 1, Alice, "hi"));

        var plan = Plan(
        [
            new ReactionRequest("a", Bob, message.Id, "👍", Add: true),
            new ReactionRequest("a", Bob, message.Id, "👍", Add: true),
            new ReactionRequest("a", Bob, message.Id, "👍", Add: false),
            new ReactionRequest("a", Bob, message.Id, "👍", Add: false),
        ], state);
        Allocate(plan, ("a", 1, 1));

        plan.Events.Select(e => (e.EventSequence, e.Type)).Should().Equal((2L, RoomEventTypes.ReactionAdded), (3L, RoomEventTypes.ReactionRemoved));
        plan.OutcomeOf(1).Changes.Should().BeEmpty();
        plan.OutcomeOf(3).Changes.Should().BeEmpty();
        plan.Updated.Should().Equal(message);
    }

    [Fact]
    public void AReplyNamesAMessageOfTheSameRoomThatStillExists()
    {
        var state = new BatchState();
        var target = state.Add(Stored("a", 1, Bob, "question"));
        var elsewhere = state.Add(Stored("b", 1, Bob, "other room"));
        var gone = state.Add(Stored("a", 2, Bob, string.Empty, deleted: true));

        var plan = Plan([Post("a", "answer", replyTo: target.Id), Post("a", "x", replyTo: elsewhere.Id), Post("a", "y", replyTo: gone.Id)], state);
        Allocate(plan, ("a", 2, 2));

        plan.NewMessages.Should().ContainSingle().Which.ReplyToSequence.Should().Be(1);
        Codes(plan).Should().Equal(null, ChatErrorCodes.NotFound, ChatErrorCodes.NotFound);
    }

    [Fact]
    public void ReactionSummariesListReactionsInFirstUseOrderWithTheirFirstTenUsers()
    {
        var rows = Enumerable.Range(0, 12).Select(i => ("👍", $"u{i}")).Prepend(("🎉", "u0")).ToList();

        var summary = MessageMapper.SummarizeReactions(rows);

        summary.Select(r => (r.Value, r.Count)).Should().Equal(("🎉", 1), ("👍", 12));
        summary[1].UserIds.Should().Equal(Enumerable.Range(0, 10).Select(i => $"u{i}"));
    }

    private static BatchPlan Plan(ChangeRequest[] batch, BatchState state, TimeSpan? editWindow = null) =>
        new BatchPlanner(new FixedTime(Now), Options.Create(new MessagesOptions { EditWindow = editWindow }), Options.Create(new AdminOptions())).Plan(batch, state);

    /// <summary>What the store's allocation does: each room's blocks end after its previous counters.</summary>
    private static void Allocate(BatchPlan plan, params (string Room, long LastSequence, long LastEventSequence)[] before)
    {
        foreach (var (room, lastSequence, lastEventSequence) in before)
        {
            if (plan.Rooms.TryGetValue(room, out var block))
            {
                block.LastSequence = lastSequence + block.Messages;
                block.LastEventSequence = lastEventSequence + block.Events;
            }
        }

        plan.Number();
    }

    private static IEnumerable<string?> Codes(BatchPlan plan) => Enumerable.Range(0, plan.Count).Select(i => plan.OutcomeOf(i).Error?.Code);

    private static PostRequest Post(string room, string content, string? clientMessageId = null, string? replyTo = null) =>
        new(room, Alice, content, clientMessageId, replyTo, []);

    private static MessageRecord Stored(string room, long sequence, ChatUser sender, string content, bool deleted = false, DateTime? sentAt = null) => new()
    {
        Id = $"{room}-{sequence}",
        Room = room,
        Sequence = sequence,
        SenderId = sender.Id,
        SenderName = sender.Name,
        Content = content,
        SentAt = sentAt ?? Now.AddMinutes(-1),
        PostedEventSequence = sequence,
        EventSequence = sequence,
        DeletedAt = deleted ? Now.AddSeconds(-30) : null,
    };
}
