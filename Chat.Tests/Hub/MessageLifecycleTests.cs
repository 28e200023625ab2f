using System.Text.Json;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// A message's life after it is sent: replies, mentions, edits, deletes and reactions, each reaching everyone in the
/// room once as the next change of its log.
/// </summary>
public sealed class MessageLifecycleTests(MessageLifecycleTests.Fixture fixture) : IClassFixture<MessageLifecycleTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AReplyCarriesTheMessageItAnswersAndDeduplicatedMentions(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var question = await alice.SendMessage(room, "Who has the keys? " + new string('?', 150));
        var someoneElse = "guest:" + TestDefaults.UniqueUser("dave");

        var reply = await bob.PostMessage(room, new PostMessageRequest(
            "  I do  ", ClientMessageId: "reply-1", ReplyToId: question.Id, Mentions: [alice.UserId, someoneElse, alice.UserId]));

        reply.Should().BeEquivalentTo(new
        {
            Room = room,
            Sequence = 2L,
            EventSequence = 2L,
            SenderId = bob.UserId,
            SenderName = bob.UserName,
            Content = "I do",
            ClientMessageId = "reply-1",
            EditedAt = (DateTime?)null,
            DeletedAt = (DateTime?)null,
        });
        reply.ReplyTo.Should().Be(new MessageRef(question.Id, question.Sequence, alice.UserName, question.Content[..ChatLimits.MaxReplyPreviewLength]));
        reply.Mentions.Should().BeEquivalentTo([alice.UserId, someoneElse]);
        reply.Reactions.Should().BeEmpty();
        reply.Attachments.Should().BeEmpty();
        (await alice.Messages.WaitForAsync(m => m.Id == reply.Id)).Should().Be(reply);
        (await bob.Messages.WaitForAsync(m => m.Id == reply.Id)).Should().Be(reply);
        (await alice.GetHistory(room, null, 10)).Should().Equal(question, reply);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AReplysPreviewFollowsTheMessageItAnswersAsItIsNow(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var question = await alice.SendMessage(room, "lunch at noon?");
        var reply = await alice.PostMessage(room, new PostMessageRequest("or one?", ReplyToId: question.Id));

        await alice.EditMessage(room, question.Id, "lunch at half past twelve?");
        var afterEdit = (await alice.GetMessagesSince(room, question.Sequence, 10)).Single();
        await alice.DeleteMessage(room, question.Id);
        var afterDelete = (await alice.GetMessagesSince(room, question.Sequence, 10)).Single();

        afterEdit.Id.Should().Be(reply.Id);
        afterEdit.ReplyTo.Should().Be(new MessageRef(question.Id, question.Sequence, alice.UserName, "lunch at half past twelve?"));
        afterDelete.ReplyTo.Should().Be(new MessageRef(question.Id, question.Sequence, alice.UserName, ""));
        afterDelete.Content.Should().Be("or one?", "deleting a message leaves the replies to it alone");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AnEditReachesEveryoneInTheRoomAsTheNextChange(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var outsider = await Server.ConnectAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var mentioned = "guest:" + TestDefaults.UniqueUser("dave");
        var draft = await alice.PostMessage(room, new PostMessageRequest("frist draft", ClientMessageId: "d-1", Mentions: [mentioned]));

        var edited = await alice.EditMessage(room, draft.Id, "  first draft  ");

        edited.Should().Be(draft with { Content = "first draft", EventSequence = draft.EventSequence + 1, EditedAt = edited.EditedAt });
        edited.EditedAt.Should().NotBeNull().And.BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        edited.EditedAt!.Value.Kind.Should().Be(DateTimeKind.Utc);
        edited.Mentions.Should().Equal([mentioned], "an edit keeps the message's mentions");
        foreach (var member in new[] { alice, bob })
        {
            var change = await member.Changes.WaitForAsync(e => e.Room == room);
            change.Should().BeEquivalentTo(new
            {
                Room = room,
                EventSequence = edited.EventSequence,
                Type = RoomEventTypes.MessageEdited,
                ActorId = alice.UserId,
                ActorName = alice.UserName,
                MessageId = draft.Id,
                Reaction = (string?)null,
            });
            change.Message.Should().Be(edited);
        }

        (await bob.GetHistory(room, null, 10)).Should().Equal(edited);
        outsider.Changes.Items.Should().BeEmpty("only connections that joined the room hear its changes");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AConnectionThatLeftTheRoomHearsNoMoreOfItsChanges(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var message = await alice.SendMessage(room, "still here?");
        await bob.Messages.WaitForAsync(m => m.Id == message.Id);

        await bob.LeaveRoom(room);
        await alice.EditMessage(room, message.Id, "still here? anyone?");
        await alice.AddReaction(room, message.Id, "👋");
        await alice.DeleteMessage(room, message.Id);
        var marker = await alice.SendMessage(room, "marker");

        await alice.Messages.WaitForAsync(m => m.Id == marker.Id);
        var rejoined = await bob.JoinRoom(room);
        var relay = await alice.SendMessage(room, "welcome back");
        await bob.Messages.WaitForAsync(m => m.Id == relay.Id);
        bob.Changes.Items.Should().BeEmpty("bob was not in the room while it changed");
        bob.Messages.Items.Select(m => m.Id).Should().Equal(message.Id, relay.Id);
        rejoined.LastEventSequence.Should().Be(marker.EventSequence, "what bob missed is his to fetch with GetEventsSince");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EachJoinShowsTheRecentMessagesAsTheyAreAfterEveryChange(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var posted = await alice.SendMessage(room, "first take");

        // Joins of new connections in a row: the server may answer a join from what it read for the previous one.
        async Task<JoinResult> JoinAfreshAsync()
        {
            await using var visitor = await Server.ConnectAsync(TestDefaults.UniqueUser("visitor"), protocol);
            return await visitor.JoinRoom(room);
        }

        (await JoinAfreshAsync()).RecentMessages.Should().Equal(posted);
        (await JoinAfreshAsync()).RecentMessages.Should().Equal(posted);
        var edited = await alice.EditMessage(room, posted.Id, "second take");
        var afterEdit = await JoinAfreshAsync();
        afterEdit.RecentMessages.Should().Equal(edited);
        afterEdit.LastEventSequence.Should().Be(edited.EventSequence);
        var reacted = await alice.AddReaction(room, posted.Id, "🎬");
        (await JoinAfreshAsync()).RecentMessages.Should().Equal(reacted);
        await alice.DeleteMessage(room, posted.Id);
        var afterDelete = await JoinAfreshAsync();
        afterDelete.RecentMessages.Should().ContainSingle().Which.DeletedAt.Should().NotBeNull();
        afterDelete.LastEventSequence.Should().Be(reacted.EventSequence + 1);
        var next = await alice.SendMessage(room, "take three");
        (await JoinAfreshAsync()).RecentMessages.Select(m => m.Id).Should().Equal(posted.Id, next.Id);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ADeletedMessageIsATombstoneEverywhereAndNoTraceOfItsTextIsLeft(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var earlier = await bob.SendMessage(room, "anyone there?");
        var posted = await alice.PostMessage(room, new PostMessageRequest(
            "first " + secret, ClientMessageId: "s-1", ReplyToId: earlier.Id, Mentions: [bob.UserId]));
        await alice.EditMessage(room, posted.Id, "then " + secret);
        await bob.AddReaction(room, posted.Id, "👀");

        await alice.DeleteMessage(room, posted.Id);

        var deleted = await bob.Changes.WaitForAsync(e => e.Type == RoomEventTypes.MessageDeleted);
        var tombstone = deleted.Message!;
        tombstone.Should().BeEquivalentTo(new
        {
            posted.Id,
            posted.Room,
            posted.Sequence,
            posted.SenderId,
            posted.SenderName,
            posted.SentAt,
            posted.ClientMessageId,
            Content = "",
            ReplyTo = (MessageRef?)null,
            EventSequence = 5L,
        });
        tombstone.DeletedAt.Should().NotBeNull().And.BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        tombstone.Mentions.Should().BeEmpty();
        tombstone.Reactions.Should().BeEmpty();
        tombstone.Attachments.Should().BeEmpty();
        deleted.Should().BeEquivalentTo(new { EventSequence = 5L, MessageId = posted.Id, ActorId = alice.UserId, Reaction = (string?)null });
        (await alice.Changes.WaitForAsync(e => e.Type == RoomEventTypes.MessageDeleted)).Message.Should().Be(tombstone);

        (await bob.GetHistory(room, null, 10)).Should().Equal(earlier, tombstone);
        (await bob.GetMessagesSince(room, 0, 10)).Should().Equal(earlier, tombstone);
        (await bob.JoinRoom(room)).RecentMessages.Should().Equal(earlier, tombstone);
        var events = await bob.ReadAllEventsAsync(room);
        events.Select(e => e.EventSequence).Should().Equal(1, 2, 3, 4, 5);
        events.Where(e => e.MessageId == posted.Id).Should().HaveCount(4).And.OnlyContain(e => tombstone.Equals(e.Message));
        events.Single(e => e.Type == RoomEventTypes.ReactionAdded).Should().BeEquivalentTo(
            new { EventSequence = 4L, ActorId = bob.UserId, Reaction = (string?)null }, "a deleted message's reactions are forgotten, not which change it was");
        JsonSerializer.Serialize(events).Should().NotContain("secret-");
        var next = await bob.SendMessage(room, "gone, then");
        next.Sequence.Should().Be(3, "the tombstone keeps its sequence, so sequences stay gap-free");
        next.EventSequence.Should().Be(6);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ReactionsAreAddedAndRemovedWithCountsAndWhoReacted(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var message = await alice.SendMessage(room, "ship it?");
        const string family = "👨‍👩‍👧";

        await alice.AddReaction(room, message.Id, "👍");
        await bob.AddReaction(room, message.Id, "👍");
        var afterAdds = await bob.AddReaction(room, message.Id, family);
        var afterRemove = await bob.RemoveReaction(room, message.Id, "👍");
        var afterLastRemove = await bob.RemoveReaction(room, message.Id, family);

        afterAdds.Reactions.Should().Equal(new Reaction("👍", 2, [alice.UserId, bob.UserId]), new Reaction(family, 1, [bob.UserId]));
        afterAdds.EventSequence.Should().Be(4);
        afterRemove.Reactions.Should().Equal(new Reaction("👍", 1, [alice.UserId]), new Reaction(family, 1, [bob.UserId]));
        afterRemove.EventSequence.Should().Be(5);
        afterLastRemove.Reactions.Should().Equal(new Reaction("👍", 1, [alice.UserId]));
        afterLastRemove.Content.Should().Be("ship it?");
        var changes = await alice.Changes.WaitForCountAsync(5, e => e.Room == room);
        changes.Select(e => (e.EventSequence, e.Type, e.Reaction, e.ActorId, e.MessageId)).Should().Equal(
            (2L, RoomEventTypes.ReactionAdded, "👍", alice.UserId, message.Id),
            (3L, RoomEventTypes.ReactionAdded, "👍", bob.UserId, message.Id),
            (4L, RoomEventTypes.ReactionAdded, family, bob.UserId, message.Id),
            (5L, RoomEventTypes.ReactionRemoved, "👍", bob.UserId, message.Id),
            (6L, RoomEventTypes.ReactionRemoved, family, bob.UserId, message.Id));
        changes[2].Message.Should().Be(afterAdds);
        changes[3].Message.Should().Be(afterRemove);
        changes[4].Message.Should().Be(afterLastRemove);
        (await bob.GetHistory(room, null, 1)).Should().Equal(afterLastRemove);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AReactionListsTheFirstTenUsersWhoReactedAndCountsThemAll(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var message = await alice.SendMessage(room, "who is coming?");
        var fans = new List<TestClient>();
        try
        {
            ChatMessage latest = message;
            for (var i = 0; i < ChatLimits.MaxReactionUserIds + 2; i++)
            {
                var fan = await Server.ConnectAsync(TestDefaults.UniqueUser($"fan{i}"), protocol);
                fans.Add(fan);
                await fan.JoinRoom(room);
                latest = await fan.AddReaction(room, message.Id, "🙋");
            }

            latest.Reactions.Should().Equal(new Reaction("🙋", fans.Count, [.. fans.Take(ChatLimits.MaxReactionUserIds).Select(f => f.UserId)]));
        }
        finally
        {
            foreach (var fan in fans)
            {
                await fan.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ChangesThatChangeNothingSucceedSendNothingAndTakeNoNumber(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var kept = await alice.SendMessage(room, "keep me");
        var doomed = await alice.SendMessage(room, "delete me");

        var edited = await alice.EditMessage(room, kept.Id, "kept");
        (await alice.EditMessage(room, kept.Id, "kept")).Should().Be(edited, "the same edit twice is one edit");
        (await alice.EditMessage(room, kept.Id, "  kept ")).Should().Be(edited, "the same content after trimming");
        var reacted = await alice.AddReaction(room, kept.Id, "👍");
        (await alice.AddReaction(room, kept.Id, "👍")).Should().Be(reacted, "a reaction already there");
        (await alice.RemoveReaction(room, kept.Id, "👎")).Should().Be(reacted, "a reaction that is not there");
        (await bob.RemoveReaction(room, kept.Id, "👍")).Should().Be(reacted, "bob's 👍 is not there, only alice's");
        await alice.DeleteMessage(room, doomed.Id);
        await alice.DeleteMessage(room, doomed.Id);
        var next = await bob.AddReaction(room, kept.Id, "🎉");

        next.EventSequence.Should().Be(6, "posts 1-2, the edit 3, the reaction 4, the delete 5: nothing else took a number");
        var last = await alice.Changes.WaitForAsync(e => e.EventSequence == next.EventSequence);
        last.Type.Should().Be(RoomEventTypes.ReactionAdded);
        alice.Changes.Items.Select(e => (e.EventSequence, e.Type)).Should().Equal(
            (3L, RoomEventTypes.MessageEdited), (4L, RoomEventTypes.ReactionAdded), (5L, RoomEventTypes.MessageDeleted), (6L, RoomEventTypes.ReactionAdded));
        (await bob.Changes.WaitForAsync(e => e.EventSequence == 6)).Should().Be(last);
        bob.Changes.Items.Should().HaveCount(4);
        bob.Messages.Items.Should().Equal(kept, doomed);
        (await bob.ReadAllEventsAsync(room)).Select(e => e.EventSequence).Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task RetriesAfterALostAcknowledgementChangeNothingTwice(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await bob.JoinRoom(room);
        ChatMessage posted;
        ChatMessage edited;
        ChatMessage reacted;
        await using (var before = await Server.ConnectAsync(aliceName, protocol))
        {
            await before.JoinRoom(room);
            posted = await before.PostMessage(room, new PostMessageRequest("once", ClientMessageId: "p-1", Mentions: [bob.UserId]));
            edited = await before.EditMessage(room, posted.Id, "only once");
            reacted = await before.AddReaction(room, posted.Id, "✅");
        }

        // The acknowledgements never arrived: the client reconnects and sends each call again.
        await using var after = await Server.ConnectAsync(aliceName, protocol);
        await after.JoinRoom(room);
        (await after.PostMessage(room, new PostMessageRequest("once", ClientMessageId: "p-1", Mentions: [bob.UserId]))).Id.Should().Be(posted.Id);
        (await after.EditMessage(room, posted.Id, "only once")).Should().Be(reacted);
        (await after.AddReaction(room, posted.Id, "✅")).Should().Be(reacted);
        await after.DeleteMessage(room, posted.Id);
        await after.DeleteMessage(room, posted.Id);
        var marker = await after.SendMessage(room, "marker");

        await bob.Messages.WaitForAsync(m => m.Id == marker.Id);
        marker.EventSequence.Should().Be(5, "post, edit, reaction, delete: the retries took no number");
        bob.Messages.Items.Select(m => m.Id).Should().Equal(posted.Id, marker.Id);
        bob.Changes.Items.Select(e => e.Type).Should().Equal(RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded, RoomEventTypes.MessageDeleted);
        edited.EventSequence.Should().Be(2);
        (await bob.GetMessagesSince(room, 0, 10)).Select(m => m.Sequence).Should().Equal(1, 2);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ARetriedPostOfADeletedMessageDoesNotBringItBack(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var posted = await alice.PostMessage(room, new PostMessageRequest("oops", ClientMessageId: "late-retry"));
        await alice.DeleteMessage(room, posted.Id);

        var retried = await alice.PostMessage(room, new PostMessageRequest("oops", ClientMessageId: "late-retry"));
        var sentAgain = await alice.SendMessage(room, "oops", "late-retry");

        retried.Should().BeEquivalentTo(new { posted.Id, posted.Sequence, Content = "", ClientMessageId = "late-retry" });
        retried.DeletedAt.Should().NotBeNull("a retry answers the message as it is now");
        sentAgain.Should().Be(retried, "SendMessage and PostMessage share one clientMessageId per user");
        var marker = await bob.SendMessage(room, "marker");
        marker.Should().BeEquivalentTo(new { Sequence = 2L, EventSequence = 3L });
        await alice.Messages.WaitForAsync(m => m.Id == marker.Id);
        alice.Messages.Items.Select(m => m.Id).Should().Equal(posted.Id, marker.Id);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AReplyPreviewNeverSplitsACharacter(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        // 99 ASCII characters, then emoji of two UTF-16 code units each: the 100th code unit is half of one.
        var question = await alice.SendMessage(room, new string('a', ChatLimits.MaxReplyPreviewLength - 1) + string.Concat(Enumerable.Repeat("😀", 5)));

        var reply = await alice.PostMessage(room, new PostMessageRequest("yes", ReplyToId: question.Id));

        var preview = reply.ReplyTo!.Preview;
        preview.Length.Should().BeLessThanOrEqualTo(ChatLimits.MaxReplyPreviewLength);
        question.Content.Should().StartWith(preview);
        char.IsHighSurrogate(preview[^1]).Should().BeFalse("a preview ends on a whole character, not half an emoji");
        preview.Should().StartWith(new string('a', ChatLimits.MaxReplyPreviewLength - 1));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task CopiesOfOneChangeSentAtOnceAreOneChange(ChatProtocol protocol)
    {
        const int copies = 5;
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await bob.JoinRoom(room);
        var alices = new List<TestClient>();
        try
        {
            // A retry may race the call it repeats: one user's connections send the same change at the same moment.
            for (var i = 0; i < copies; i++)
            {
                alices.Add(await Server.ConnectAsync(aliceName, protocol));
                await alices[^1].JoinRoom(room);
            }

            var posts = await Task.WhenAll(alices.Select(a => a.PostMessage(room, new PostMessageRequest("once", ClientMessageId: "same"))));
            var edits = await Task.WhenAll(alices.Select(a => a.EditMessage(room, posts[0].Id, "once, edited")));
            var reactions = await Task.WhenAll(alices.Select(a => a.AddReaction(room, posts[0].Id, "👍")));
            var removals = await Task.WhenAll(alices.Select(a => a.RemoveReaction(room, posts[0].Id, "👍")));
            await Task.WhenAll(alices.Select(a => a.DeleteMessage(room, posts[0].Id)));
            var marker = await bob.SendMessage(room, "marker");

            posts.Select(p => p.Id).Distinct().Should().ContainSingle();
            edits.Select(e => e.EventSequence).Distinct().Should().Equal(2L);
            reactions.Should().OnlyContain(r => r.EventSequence == 3 && r.Reactions.Length == 1 && r.Reactions[0].Count == 1);
            removals.Should().OnlyContain(r => r.EventSequence == 4 && r.Reactions.Length == 0);
            marker.EventSequence.Should().Be(6, "post, edit, reaction added, reaction removed, delete: one number each");
            await bob.Messages.WaitForAsync(m => m.Id == marker.Id);
            bob.Messages.Items.Select(m => (m.Id, m.EventSequence)).Should().Equal([(posts[0].Id, 1L), (marker.Id, 6L)], "nobody receives a message twice");
            bob.Changes.Items.Select(e => e.Type).Should().Equal(
                RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded, RoomEventTypes.ReactionRemoved, RoomEventTypes.MessageDeleted);
        }
        finally
        {
            foreach (var alice in alices)
            {
                await alice.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task PostingStopsTheSendersTypingState(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        await alice.SetTyping(room, true);
        await bob.Typing.WaitForAsync(t => t.UserId == alice.UserId && t.IsTyping);
        await alice.PostMessage(room, new PostMessageRequest("done typing"));

        (await bob.Typing.WaitForAsync(t => t.UserId == alice.UserId && !t.IsTyping, TimeSpan.FromSeconds(ChatLimits.TypingTimeoutSeconds - 1)))
            .Room.Should().Be(room);
    }

    /// <summary>Lifecycle tests make many changes quickly: the send rate is not what they specify.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
