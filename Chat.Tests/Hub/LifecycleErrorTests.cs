using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Hub;

/// <summary>
/// Every refused lifecycle call answers its exact code, changes nothing (the room's log does not move, nobody hears
/// anything) and leaves the caller's connection usable.
/// </summary>
public sealed class LifecycleErrorTests(LifecycleErrorTests.Fixture fixture) : IClassFixture<LifecycleErrorTests.Fixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ChangingSomeoneElsesMessageIsForbidden(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();

        await AssertRejected(() => scene.Bob.EditMessage(scene.Room, scene.Message.Id, "bob was here"), ChatErrorCodes.Forbidden);
        await AssertRejected(() => scene.Bob.DeleteMessage(scene.Room, scene.Message.Id), ChatErrorCodes.Forbidden);

        await scene.AssertNothingChangedAsync(scene.Bob);
        (await scene.Bob.GetHistory(scene.Room, scene.Message.Sequence + 1, 1)).Should().Equal(scene.Message);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ChangingAnUnknownMessageOrOneOfAnotherRoomIsNotFound(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        var otherRoom = TestDefaults.UniqueRoom("other");
        await scene.Alice.JoinRoom(otherRoom);
        var elsewhere = await scene.Alice.SendMessage(otherRoom, "in another room");
        await scene.MarkAsync();

        foreach (var id in new[] { Guid.NewGuid().ToString("N"), elsewhere.Id, new string('a', ChatLimits.MaxMessageIdLength + 1) })
        {
            await AssertRejected(() => scene.Alice.EditMessage(scene.Room, id, "changed"), ChatErrorCodes.NotFound);
            await AssertRejected(() => scene.Alice.DeleteMessage(scene.Room, id), ChatErrorCodes.NotFound);
            await AssertRejected(() => scene.Alice.AddReaction(scene.Room, id, "👍"), ChatErrorCodes.NotFound);
            await AssertRejected(() => scene.Alice.RemoveReaction(scene.Room, id, "👍"), ChatErrorCodes.NotFound);
        }

        await scene.AssertNothingChangedAsync(scene.Alice);
        (await scene.Alice.GetHistory(otherRoom, null, 10)).Should().Equal(elsewhere);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EditingOrReactingToADeletedMessageIsNotFoundWhileDeletingItAgainIsHarmless(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.Alice.DeleteMessage(scene.Room, scene.Message.Id);
        await scene.MarkAsync();

        await AssertRejected(() => scene.Alice.EditMessage(scene.Room, scene.Message.Id, "back from the dead"), ChatErrorCodes.NotFound);
        await AssertRejected(() => scene.Bob.AddReaction(scene.Room, scene.Message.Id, "👻"), ChatErrorCodes.NotFound);
        await AssertRejected(() => scene.Bob.RemoveReaction(scene.Room, scene.Message.Id, "👻"), ChatErrorCodes.NotFound);
        await scene.Alice.DeleteMessage(scene.Room, scene.Message.Id);

        await scene.AssertNothingChangedAsync(scene.Alice, scene.Bob);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ReplyingToAMessageThatIsNotInTheRoomIsNotFound(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        var otherRoom = TestDefaults.UniqueRoom("other");
        await scene.Bob.JoinRoom(otherRoom);
        var elsewhere = await scene.Bob.SendMessage(otherRoom, "in another room");
        var gone = await scene.Bob.SendMessage(scene.Room, "soon gone");
        await scene.Bob.DeleteMessage(scene.Room, gone.Id);
        await scene.MarkAsync();

        foreach (var id in new[] { elsewhere.Id, Guid.NewGuid().ToString("N"), gone.Id })
        {
            await AssertRejected(() => scene.Bob.PostMessage(scene.Room, new PostMessageRequest("re", ReplyToId: id)), ChatErrorCodes.NotFound);
        }

        await scene.AssertNothingChangedAsync(scene.Bob);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ReactionsOutsideTheRulesAreInvalid(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();
        var tooLong = ":" + new string('a', ChatLimits.MaxReactionLength - 1) + ":";

        foreach (var reaction in new[] { "", null, tooLong, "thumbs up", "a\tb", "\u00a0", "\u0007", "👍\n" })
        {
            await AssertRejected(() => scene.Bob.AddReaction(scene.Room, scene.Message.Id, reaction!), ChatErrorCodes.InvalidReaction);
            await AssertRejected(() => scene.Bob.RemoveReaction(scene.Room, scene.Message.Id, reaction!), ChatErrorCodes.InvalidReaction);
        }

        await scene.AssertNothingChangedAsync(scene.Bob);
        var longest = tooLong[..ChatLimits.MaxReactionLength];
        (await scene.Bob.AddReaction(scene.Room, scene.Message.Id, longest)).Reactions.Should().Equal(new Reaction(longest, 1, [scene.Bob.UserId]));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task TheTwentyFirstDistinctReactionIsTooManyReactions(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        for (var i = 0; i < ChatLimits.MaxReactionsPerMessage; i++)
        {
            await scene.Alice.AddReaction(scene.Room, scene.Message.Id, $":r{i}:");
        }

        await scene.MarkAsync();

        await AssertRejected(() => scene.Bob.AddReaction(scene.Room, scene.Message.Id, ":one_too_many:"), ChatErrorCodes.TooManyReactions);

        await scene.AssertNothingChangedAsync(scene.Bob);
        var joined = await scene.Bob.AddReaction(scene.Room, scene.Message.Id, ":r0:");
        joined.Reactions.Should().HaveCount(ChatLimits.MaxReactionsPerMessage, "one more user on a reaction already there is no new reaction");
        joined.Reactions[0].Should().Be(new Reaction(":r0:", 2, [scene.Alice.UserId, scene.Bob.UserId]));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EventPageLimitsOutsideOneToFiveHundredAreInvalid(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();

        foreach (var limit in new[] { 0, -1, ChatLimits.MaxEventsSincePage + 1 })
        {
            await AssertRejected(() => scene.Bob.GetEventsSince(scene.Room, 0, limit), ChatErrorCodes.InvalidLimit);
        }

        await scene.AssertNothingChangedAsync(scene.Bob);
        (await scene.Bob.GetEventsSince(scene.Room, 0, ChatLimits.MaxEventsSincePage)).Events.Should().HaveCount(2);
        (await scene.Bob.GetEventsSince(scene.Room, 0, 1)).Events.Should().ContainSingle().Which.MessageId.Should().Be(scene.Message.Id);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AClientMessageIdLongerThan128IsAnInvalidRequest(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();
        var tooLong = new string('c', ChatLimits.MaxClientMessageIdLength + 1);

        await AssertRejected(() => scene.Bob.SendMessage(scene.Room, "hi", tooLong), ChatErrorCodes.InvalidRequest);
        await AssertRejected(() => scene.Bob.PostMessage(scene.Room, new PostMessageRequest("hi", ClientMessageId: tooLong)), ChatErrorCodes.InvalidRequest);

        await scene.AssertNothingChangedAsync(scene.Bob);
        var longest = tooLong[..ChatLimits.MaxClientMessageIdLength];
        (await scene.Bob.PostMessage(scene.Room, new PostMessageRequest("hi", ClientMessageId: longest))).ClientMessageId.Should().Be(longest);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MentionsOutsideTheRulesAreInvalidRequests(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();
        var fifty = Enumerable.Range(0, ChatLimits.MaxMentions).Select(i => $"guest:user{i}").ToArray();

        foreach (var mentions in new[] { [.. fifty, "guest:one-too-many"], [""], [new string('u', ChatLimits.MaxUserIdLength + 1)], new[] { (string)null! } })
        {
            await AssertRejected(() => scene.Bob.PostMessage(scene.Room, new PostMessageRequest("hey", Mentions: mentions)), ChatErrorCodes.InvalidRequest);
        }

        await scene.AssertNothingChangedAsync(scene.Bob);
        (await scene.Bob.PostMessage(scene.Room, new PostMessageRequest("hey all", Mentions: fifty))).Mentions.Should().BeEquivalentTo(fifty);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AttachmentsAreInvalidUntilUploadsExist(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();

        await AssertRejected(
            () => scene.Bob.PostMessage(scene.Room, new PostMessageRequest("see attached", AttachmentIds: [Guid.NewGuid().ToString("N")])),
            ChatErrorCodes.InvalidAttachment);

        await scene.AssertNothingChangedAsync(scene.Bob);
        (await scene.Bob.PostMessage(scene.Room, new PostMessageRequest("nothing attached", AttachmentIds: []))).Attachments.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task PostsAndEditsFollowTheContentRulesOfSending(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();
        var tooLong = new string('x', ChatLimits.MaxMessageLength + 1);

        await AssertRejected(() => scene.Alice.PostMessage(scene.Room, new PostMessageRequest("")), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => scene.Alice.PostMessage(scene.Room, new PostMessageRequest(" \t\n ")), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => scene.Alice.PostMessage(scene.Room, new PostMessageRequest(null)), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => scene.Alice.PostMessage(scene.Room, new PostMessageRequest(tooLong)), ChatErrorCodes.MessageTooLong);
        await AssertRejected(() => scene.Alice.EditMessage(scene.Room, scene.Message.Id, "  "), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => scene.Alice.EditMessage(scene.Room, scene.Message.Id, tooLong), ChatErrorCodes.MessageTooLong);

        await scene.AssertNothingChangedAsync(scene.Alice);
        (await scene.Alice.GetHistory(scene.Room, scene.Message.Sequence + 1, 1)).Should().Equal(scene.Message);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task LifecycleCallsWithoutJoiningAreNotAMemberButReadingTheLogIsOpen(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await using var dave = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("dave"), protocol);
        await dave.JoinRoom(scene.Room);
        var his = await dave.SendMessage(scene.Room, "brb");
        await dave.AddReaction(scene.Room, his.Id, "🏃");
        await dave.LeaveRoom(scene.Room);
        await scene.MarkAsync();

        await AssertRejected(() => dave.PostMessage(scene.Room, new PostMessageRequest("back?")), ChatErrorCodes.NotAMember);
        await AssertRejected(() => dave.EditMessage(scene.Room, his.Id, "back"), ChatErrorCodes.NotAMember);
        await AssertRejected(() => dave.DeleteMessage(scene.Room, his.Id), ChatErrorCodes.NotAMember);
        await AssertRejected(() => dave.AddReaction(scene.Room, his.Id, "👋"), ChatErrorCodes.NotAMember);
        await AssertRejected(() => dave.RemoveReaction(scene.Room, his.Id, "🏃"), ChatErrorCodes.NotAMember);
        await AssertRejected(() => dave.AddReaction(scene.Room, scene.Message.Id, "👋"), ChatErrorCodes.NotAMember);

        await scene.AssertNothingChangedAsync(dave);
        (await dave.GetEventsSince(scene.Room, 0, 10)).Events.Select(e => e.EventSequence).Should().Equal(1, 2, 3, 4);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task LifecycleCallsOnAnInvalidRoomNameAreInvalidRoomName(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(fixture.Server, protocol);
        await scene.MarkAsync();
        const string room = "not a room";

        await AssertRejected(() => scene.Bob.GetEventsSince(room, 0, 10), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => scene.Bob.PostMessage(room, new PostMessageRequest("hi")), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => scene.Bob.EditMessage(room, scene.Message.Id, "hi"), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => scene.Bob.DeleteMessage(room, scene.Message.Id), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => scene.Bob.AddReaction(room, scene.Message.Id, "👍"), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => scene.Bob.RemoveReaction(room, scene.Message.Id, "👍"), ChatErrorCodes.InvalidRoomName);

        await scene.AssertNothingChangedAsync(scene.Bob);
    }

    private static async Task AssertRejected(Func<Task> call, string code)
    {
        var exception = await FluentActions.Awaiting(call).Should().ThrowAsync<HubException>();
        exception.Which.Message.Should().StartWith(code + ": ");
    }

    /// <summary>
    /// Alice wrote <see cref="Message"/> in <see cref="Room"/>; Bob is another member; Carol only listens, to tell
    /// whether anything reached the room.
    /// </summary>
    private sealed class Scene : IAsyncDisposable
    {
        private long _mark;
        private int _messagesAtMark;
        private int _changesAtMark;

        private Scene(string room, TestClient alice, TestClient bob, TestClient carol, ChatMessage message)
        {
            Room = room;
            Alice = alice;
            Bob = bob;
            Carol = carol;
            Message = message;
        }

        public string Room { get; }

        public TestClient Alice { get; }

        public TestClient Bob { get; }

        public TestClient Carol { get; }

        public ChatMessage Message { get; }

        public static async Task<Scene> StartAsync(ChatServer server, ChatProtocol protocol)
        {
            var room = TestDefaults.UniqueRoom();
            var alice = await server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
            var bob = await server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
            var carol = await server.ConnectAsync(TestDefaults.UniqueUser("carol"), protocol);
            foreach (var member in new[] { alice, bob, carol })
            {
                await member.JoinRoom(room);
            }

            return new Scene(room, alice, bob, carol, await alice.SendMessage(room, "alice's message"));
        }

        /// <summary>Notes where the room's log stands once Carol has heard all of it.</summary>
        public async Task MarkAsync()
        {
            _mark = (await Carol.GetEventsSince(Room, 0, ChatLimits.MaxEventsSincePage)).LastEventSequence;
            await Eventually.HoldsAsync(
                () => Carol.Messages.Items.Select(m => m.EventSequence).Concat(Carol.Changes.Items.Select(e => e.EventSequence)).Contains(_mark),
                "Carol has heard every change so far");
            _messagesAtMark = Carol.Messages.Items.Count;
            _changesAtMark = Carol.Changes.Items.Count;
        }

        /// <summary>
        /// The callers' connections still work, and the next change of the room follows the mark: the refused calls
        /// took no number, and Carol heard nothing before it.
        /// </summary>
        public async Task AssertNothingChangedAsync(params TestClient[] callers)
        {
            foreach (var caller in callers)
            {
                caller.Connection.State.Should().Be(HubConnectionState.Connected);
                (await caller.GetEventsSince(Room, _mark, 10)).Should().BeEquivalentTo(
                    new { Events = Array.Empty<RoomEvent>(), LastEventSequence = _mark, ResetRequired = false });
            }

            var marker = await Alice.SendMessage(Room, "still here");
            marker.EventSequence.Should().Be(_mark + 1, "a refused call takes no number");
            await Carol.Messages.WaitForAsync(m => m.Id == marker.Id);
            Carol.Messages.Items.Should().HaveCount(_messagesAtMark + 1, "nobody hears a refused call");
            Carol.Changes.Items.Should().HaveCount(_changesAtMark, "nobody hears a refused call");
        }

        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
            await Carol.DisposeAsync();
        }
    }

    /// <summary>The send rate is not what these tests specify.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
