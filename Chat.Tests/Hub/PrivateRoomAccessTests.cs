using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Hub;

/// <summary>
/// A private or direct room does not leak to someone who is not in it (contract v2, section 3): every call on it
/// answers <c>forbidden</c>, nothing of it shows in ListRooms, their attempts reach nobody, and mentioning them there
/// tells them nothing.
/// </summary>
public sealed class PrivateRoomAccessTests(PrivateRoomAccessTests.Fixture fixture) : IClassFixture<PrivateRoomAccessTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ANonMemberIsForbiddenEveryCallOnAPrivateRoom(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(Server, protocol, direct: false);

        await EveryCallOn(scene.Carol, scene.Room, scene.Message, scene.Bob, scene.Dave)
            .ShouldAllBeRejectedAsync(ChatErrorCodes.Forbidden, "carol is no member of the private room");

        await scene.AssertNothingLeakedAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ANonMemberIsForbiddenEveryCallOnADirectRoom(ChatProtocol protocol)
    {
        await using var scene = await Scene.StartAsync(Server, protocol, direct: true);

        await EveryCallOn(scene.Carol, scene.Room, scene.Message, scene.Bob, scene.Dave)
            .ShouldAllBeRejectedAsync(ChatErrorCodes.Forbidden, "carol is not one of the two in the conversation");

        await scene.AssertNothingLeakedAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task PrivateAndDirectRoomsAppearInListRoomsOnlyForTheirMembers(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("secret");
        var open = TestDefaults.UniqueRoom("open");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        await alice.SendMessage(room, "team only");
        var direct = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(direct);
        await alice.SendMessage(direct, "just us");
        await alice.JoinRoom(open);
        await alice.SendMessage(open, "everyone");

        var carolSees = (await carol.ListRooms()).Select(r => r.Room).ToList();
        var bobSees = (await bob.ListRooms()).Select(r => r.Room).ToList();

        carolSees.Should().Contain(open).And.NotContain(room).And.NotContain(direct);
        bobSees.Should().Contain([open, room, direct], "members see their rooms");
        (await carol.ListMyRooms()).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task PostingWithoutJoiningIsNotAMemberForMembersAndInPublicRoomsButForbiddenForOutsidersOfAPrivateRoom(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("secret");
        var open = TestDefaults.UniqueRoom("open");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        var message = await alice.SendMessage(room, "team only");
        await alice.JoinRoom(open);
        var everyone = await alice.SendMessage(open, "everyone");

        // Bob is a lasting member whose connection has not joined: he reads, but posts only from a joined connection.
        (await bob.GetHistory(room, null, 10)).Should().Equal(message);
        (await bob.GetEventsSince(room, 0, 10)).Events.Should().Contain(e => e.MessageId == message.Id);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Equal(alice.UserId);
        (await bob.GetMembers(room, null, 10)).Should().HaveCount(2);
        await Rejected(() => bob.SendMessage(room, "hello?"), ChatErrorCodes.NotAMember);
        await Rejected(() => bob.PostMessage(room, new PostMessageRequest("hello?")), ChatErrorCodes.NotAMember);
        await Rejected(() => bob.SetTyping(room, true), ChatErrorCodes.NotAMember);
        await Rejected(() => bob.AddReaction(room, message.Id, "👍"), ChatErrorCodes.NotAMember);

        // In a public room anyone reads, and posting without joining is v1's not_a_member.
        (await carol.GetHistory(open, null, 10)).Should().Equal(everyone);
        await Rejected(() => carol.SendMessage(open, "hello?"), ChatErrorCodes.NotAMember);
        await Rejected(() => carol.SetTyping(open, true), ChatErrorCodes.NotAMember);

        // In a private room the outsider's answer is forbidden: that she has not joined is not the point.
        await Rejected(() => carol.SendMessage(room, "hello?"), ChatErrorCodes.Forbidden);
        await Rejected(() => carol.SetTyping(room, true), ChatErrorCodes.Forbidden);

        await bob.JoinRoom(room);
        var answer = await bob.SendMessage(room, "here now");
        (await alice.Messages.WaitForAsync(m => m.Id == answer.Id)).Content.Should().Be("here now");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MentionsOfUsersWhoCannotReadThePrivateRoomAreDropped(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("secret");
        var ghost = "guest:" + TestDefaults.UniqueUser("ghost");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var posted = await alice.PostMessage(room, new PostMessageRequest("@bob @dave @ghost", Mentions: [bob.UserId, dave.UserId, alice.UserId, ghost]));

        posted.Mentions.Should().BeEquivalentTo([bob.UserId, alice.UserId], "dave and a user nobody knows cannot read the room");
        (await bob.Messages.WaitForAsync(m => m.Id == posted.Id)).Should().Be(posted);
        (await bob.GetHistory(room, null, 1)).Should().Equal(posted);

        // What counts is whether they can read the room now: once dave is in, mentioning him sticks.
        await alice.AddMember(room, dave.UserId);
        var again = await alice.PostMessage(room, new PostMessageRequest("@dave welcome", Mentions: [dave.UserId]));
        again.Mentions.Should().Equal(dave.UserId);

        var direct = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(direct);
        var whisper = await alice.PostMessage(direct, new PostMessageRequest("@bob about @dave", Mentions: [bob.UserId, dave.UserId]));
        whisper.Mentions.Should().Equal([bob.UserId], "dave is not in alice and bob's conversation");
        dave.Messages.Items.Should().NotContain(m => m.Room == direct);
    }

    /// <summary>
    /// Alice and Bob share <see cref="Room"/> (private, or their direct room), both joined; Alice wrote
    /// <see cref="Message"/>, Bob reacted 👍 to it. Carol and Dave are signed in and outside.
    /// </summary>
    private sealed class Scene : IAsyncDisposable
    {
        private long _lastEventSequence;

        private Scene(string room, TestClient alice, TestClient bob, TestClient carol, TestClient dave, ChatMessage message)
        {
            Room = room;
            Alice = alice;
            Bob = bob;
            Carol = carol;
            Dave = dave;
            Message = message;
        }

        public string Room { get; }

        public TestClient Alice { get; }

        public TestClient Bob { get; }

        public TestClient Carol { get; }

        public TestClient Dave { get; }

        public ChatMessage Message { get; }

        public static async Task<Scene> StartAsync(ChatServer server, ChatProtocol protocol, bool direct)
        {
            var alice = await server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
            var bob = await server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
            var carol = await server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
            var dave = await server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
            string room;
            if (direct)
            {
                room = (await alice.OpenDirect(bob.UserId)).Room;
            }
            else
            {
                room = TestDefaults.UniqueRoom("secret");
                await alice.CreatePrivateRoomAsync(room, bob);
            }

            await alice.JoinRoom(room);
            await bob.JoinRoom(room);
            var message = await alice.SendMessage(room, "between us");
            var reacted = await bob.AddReaction(room, message.Id, "👍");
            await alice.Changes.WaitForAsync(e => e.Room == room && e.EventSequence == reacted.EventSequence);
            var scene = new Scene(room, alice, bob, carol, dave, reacted) { _lastEventSequence = reacted.EventSequence };
            return scene;
        }

        /// <summary>
        /// The refused calls changed nothing and reached nobody: the log did not move, the members heard only what
        /// came after, and the outsiders heard nothing of the room — while their connections still work.
        /// </summary>
        public async Task AssertNothingLeakedAsync()
        {
            foreach (var outsider in new[] { Carol, Dave })
            {
                outsider.Connection.State.Should().Be(HubConnectionState.Connected, "a refused call never closes the connection");
            }

            (await Alice.LastEventSequenceAsync(Room)).Should().Be(_lastEventSequence, "no refused call changed the room");
            (await Alice.GetHistory(Room, null, 10)).Should().Equal(Message);
            (await Alice.GetMembers(Room, null, 10)).Select(m => m.UserId).Should().BeEquivalentTo([Alice.UserId, Bob.UserId]);

            var marker = await Alice.SendMessage(Room, "still just us");
            marker.EventSequence.Should().Be(_lastEventSequence + 1);
            await Bob.Messages.WaitForAsync(m => m.Id == marker.Id);
            Bob.Messages.Items.Where(m => m.Room == Room).Select(m => m.Id).Should().Equal(Message.Id, marker.Id);
            Bob.Changes.Items.Where(e => e.Room == Room).Should().OnlyContain(e => e.EventSequence <= _lastEventSequence);
            Bob.Typing.Items.Should().NotContain(t => t.UserId == Carol.UserId, "a refused SetTyping reaches nobody");
            Bob.Joined.Items.Should().NotContain(e => e.UserId == Carol.UserId, "a refused JoinRoom announces nobody");

            foreach (var outsider in new[] { Carol, Dave })
            {
                outsider.Messages.Items.Should().BeEmpty($"{outsider.UserName} hears nothing of the room");
                outsider.Changes.Items.Should().BeEmpty($"{outsider.UserName} hears nothing of the room");
                outsider.Typing.Items.Should().BeEmpty();
                (await outsider.ListRooms()).Should().NotContain(r => r.Room == Room);
                (await outsider.ListMyRooms()).Should().BeEmpty();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
            await Carol.DisposeAsync();
            await Dave.DisposeAsync();
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
