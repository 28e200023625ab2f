using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Edits, deletes and reactions made by another user while a client is cut off (its connection reset by a relay, or
/// the server killed and started again) reach it after the reconnect: every change exactly once, in order.
/// </summary>
public sealed class ChangeRecoveryTests(ProxiedChatServerProcessFixture fixture) : IClassFixture<ProxiedChatServerProcessFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ChangesMadeWhileTheConnectionWasDownArriveOnceInOrderAfterTheReconnect(ChatProtocol protocol) =>
        await ChangesMadeWhileCutOffArriveOnceInOrderAsync(protocol, () =>
        {
            fixture.Proxy.DropConnections().Should().BePositive();
            return Task.CompletedTask;
        });

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ChangesMadeAfterAServerRestartArriveOnceInOrderAfterTheReconnect(ChatProtocol protocol) =>
        await ChangesMadeWhileCutOffArriveOnceInOrderAsync(protocol, fixture.Server.RestartAsync);

    private async Task ChangesMadeWhileCutOffArriveOnceInOrderAsync(ChatProtocol protocol, Func<Task> cutOffAsync)
    {
        var room = TestDefaults.UniqueRoom();
        var time = new HoldingTimeProvider();
        await using var alice = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("alice"), protocol, time: time);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        var hers = await alice.Client.SendMessageAsync(room, "hers").WithTimeout();
        var first = await bob.Client.SendMessageAsync(room, "first").WithTimeout();
        var second = await bob.Client.SendMessageAsync(room, "second").WithTimeout();
        await alice.Timeline.WaitForCountAsync(3, c => c.Room == room);

        time.Hold();
        await cutOffAsync();
        await alice.WaitForStateAsync(ChatConnectionState.Reconnecting, timeout: Generous);
        var edited = await bob.Client.EditMessageAsync(room, first.Id, "first, edited").WithTimeout(Generous);
        await bob.Client.AddReactionAsync(room, hers.Id, "🎉").WithTimeout();
        await bob.Client.DeleteMessageAsync(room, second.Id).WithTimeout();
        var third = await bob.Client.SendMessageAsync(room, "third").WithTimeout();
        alice.Client.State.Should().Be(ChatConnectionState.Reconnecting, "alice was cut off while bob changed the room");
        time.Release();

        var timeline = await alice.Timeline.WaitForCountAsync(7, c => c.Room == room, Generous);
        timeline.Select(c => c.EventSequence).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        timeline.Select(c => c.Type).Should().Equal(
            RoomEventTypes.MessagePosted, RoomEventTypes.MessagePosted, RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited,
            RoomEventTypes.ReactionAdded, RoomEventTypes.MessageDeleted, RoomEventTypes.MessagePosted);
        (await alice.Edited.WaitForAsync(m => m.Room == room)).Should().Be(edited);
        var reaction = await alice.Reactions.WaitForAsync(e => e.Room == room);
        reaction.Should().BeEquivalentTo(new { Reaction = "🎉", ActorId = bob.UserId, MessageId = hers.Id });
        reaction.Message!.Reactions.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Value = "🎉", Count = 1 });
        (await alice.Deleted.WaitForAsync(m => m.Room == room)).Should().BeEquivalentTo(new { second.Id, second.Sequence, Content = "" });
        alice.MessagesIn(room).Last().Should().Be(third);

        // Live traffic carries on after the recovered changes, and nothing recovered comes again.
        var fourth = await bob.Client.SendMessageAsync(room, "fourth").WithTimeout();
        (await alice.Timeline.WaitForAsync(c => c.Message?.Id == fourth.Id)).EventSequence.Should().Be(8);
        alice.TimelineOf(room).Select(c => c.EventSequence).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
        alice.Client.State.Should().Be(ChatConnectionState.Connected);
    }
}
