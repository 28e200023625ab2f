using Chat.Client;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// The server replays at most three changes (<c>Events:MaxReplay</c>): a client that missed more reloads the room
/// (<see cref="ChatClient.RoomReset"/>) instead of replaying, and carries on from the reloaded state.
/// </summary>
public sealed class RoomResetTests(RoomResetTests.Fixture fixture) : IClassFixture<RoomResetTests.Fixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ClientThatMissedMoreThanTheServerReplaysReloadsTheRoomAndCarriesOn(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var time = new HoldingTimeProvider();
        await using var alice = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("alice"), protocol, time: time);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        var first = await bob.Client.SendMessageAsync(room, "first").WithTimeout();
        await alice.Timeline.WaitForCountAsync(1, c => c.Room == room);

        await CutOffAsync(alice, time, async () =>
        {
            var second = await bob.Client.SendMessageAsync(room, "second").WithTimeout();
            await bob.Client.EditMessageAsync(room, first.Id, "first, edited").WithTimeout();
            var third = await bob.Client.SendMessageAsync(room, "third").WithTimeout();
            await bob.Client.AddReactionAsync(room, second.Id, "👍").WithTimeout();
            await bob.Client.DeleteMessageAsync(room, third.Id).WithTimeout();
        });

        var reset = await alice.Resets.WaitForAsync(r => r.Room == room, Generous);
        reset.Rejoined.LastEventSequence.Should().Be(6);
        reset.Rejoined.RecentMessages.Select(m => m.Content).Should().Equal("first, edited", "second", "");
        reset.Rejoined.RecentMessages[1].Reactions.Should().ContainSingle().Which.Value.Should().Be("👍");
        reset.Rejoined.RecentMessages[2].IsDeleted.Should().BeTrue();
        await alice.WaitForStateAsync(ChatConnectionState.Connected, occurrence: 2, timeout: Generous);
        alice.Logs.Entries.Should().Contain(e => e.EventId.Name == "RoomReset");

        var fourth = await bob.Client.SendMessageAsync(room, "fourth").WithTimeout();
        (await alice.Timeline.WaitForAsync(c => c.Message?.Id == fourth.Id)).EventSequence.Should().Be(7);
        alice.TimelineOf(room).Select(c => c.EventSequence).Should().Equal([1, 7], "the missed changes came in the reload, not one by one");

        // A later, short outage is replayed as usual.
        await CutOffAsync(alice, time, () => bob.Client.EditMessageAsync(room, fourth.Id, "fourth, edited").WithTimeout());
        (await alice.Timeline.WaitForAsync(c => c.Room == room && c.EventSequence == 8, Generous)).Message!.Content.Should().Be("fourth, edited");
        alice.TimelineOf(room).Select(c => c.EventSequence).Should().Equal(1, 7, 8);
        alice.Resets.Items.Should().ContainSingle();
    }

    /// <summary>Keeps <paramref name="client"/> disconnected while <paramref name="meanwhileAsync"/> runs.</summary>
    private async Task CutOffAsync(ClientUnderTest client, HoldingTimeProvider time, Func<Task> meanwhileAsync)
    {
        var losses = client.States.Items.Count(s => s.Current == ChatConnectionState.Reconnecting);
        time.Hold();
        fixture.Proxy.DropConnections().Should().BePositive();
        await client.WaitForStateAsync(ChatConnectionState.Reconnecting, occurrence: losses + 1, timeout: Generous);
        await meanwhileAsync();
        client.Client.State.Should().Be(ChatConnectionState.Reconnecting);
        time.Release();
    }

    public sealed class Fixture : ProxiedChatServerProcessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Events:MaxReplay"] = "3",
        };
    }
}
