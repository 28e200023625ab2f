using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Two server nodes share one SQLite history but no backplane, so each node's clients see the other node's messages
/// only in history: live traffic skips sequences, as a lossy backplane would. The client must notice each hole,
/// fetch it and deliver the room in order.
/// </summary>
public sealed class LiveGapTests(LiveGapTests.Fixture fixture) : IClassFixture<LiveGapTests.Fixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MessagesMissingFromLiveTrafficAreFetchedAndDeliveredInOrder(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(fixture.NodeA.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(fixture.NodeB.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();

        await alice.Client.SendMessageAsync(room, "a1").WithTimeout();
        await bob.Client.SendMessageAsync(room, "b2").WithTimeout();
        await bob.Client.SendMessageAsync(room, "b3").WithTimeout();
        await alice.Client.SendMessageAsync(room, "a4").WithTimeout();

        (await alice.Messages.WaitForCountAsync(4, m => m.Room == room)).Select(m => m.Content).Should().Equal("a1", "b2", "b3", "a4");
        alice.MessagesIn(room).Should().HaveCount(4, "each message once");
        // Bob's node never broadcasts a4; Bob has it only if his fetch for the hole before b2 ran after a4 was stored.
        var bobsMessages = await bob.Messages.WaitForCountAsync(3, m => m.Room == room);
        bobsMessages.Select(m => m.Content).Take(3).Should().Equal("a1", "b2", "b3");
        bobsMessages.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, bobsMessages.Count).Select(i => (long)i));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ChangesMissingFromLiveTrafficAreFetchedWhenTheNextOneJumpsAndDeliveredInOrder(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(fixture.NodeA.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(fixture.NodeB.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();

        var bobs = await bob.Client.SendMessageAsync(room, "b1").WithTimeout();
        await alice.Client.SendMessageAsync(room, "a2").WithTimeout();
        await alice.Timeline.WaitForCountAsync(2, c => c.Room == room);
        await bob.Client.EditMessageAsync(room, bobs.Id, "b1, edited").WithTimeout();
        await bob.Client.AddReactionAsync(room, bobs.Id, ":tada:").WithTimeout();
        await alice.Client.SendMessageAsync(room, "a5").WithTimeout();

        var timeline = await alice.Timeline.WaitForCountAsync(5, c => c.Room == room);
        timeline.Select(c => c.EventSequence).Should().Equal(1, 2, 3, 4, 5);
        timeline.Select(c => c.Type).Should().Equal(
            RoomEventTypes.MessagePosted, RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded,
            RoomEventTypes.MessagePosted);
        (await alice.Edited.WaitForAsync(m => m.Room == room)).Content.Should().Be("b1, edited");
        (await alice.Reactions.WaitForAsync(e => e.Room == room)).Reaction.Should().Be(":tada:");
    }

    public sealed class Fixture : ChatServerProcessFixture
    {
        private ChatServerProcess? _nodeB;

        public ChatServerProcess NodeA => Server;

        public ChatServerProcess NodeB => _nodeB ?? throw new InvalidOperationException("Node B has not started.");

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            _nodeB = await ChatServerProcess.StartAsync(DataDirectory);
        }

        public override async Task DisposeAsync()
        {
            if (_nodeB is not null)
            {
                await _nodeB.DisposeAsync();
            }

            await base.DisposeAsync();
        }
    }
}
