using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Membership across reconnects, with bob's connection cut by a relay while the server stays up: membership changes
/// missed meanwhile arrive once, in order; a room bob was removed from (before or during the cut) is told once and is
/// not re-joined, and re-joining does not quietly make him a member again.
/// </summary>
public sealed class RemovalRecoveryTests(ProxiedChatServerProcessFixture fixture) : IClassFixture<ProxiedChatServerProcessFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task KickedClientDoesNotRejoinTheRoomAfterAReconnect(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var lobby = TestDefaults.UniqueRoom("lobby");
        await using var alice = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(lobby).WithTimeout();
        await alice.Client.RemoveMemberAsync(room, bob.UserId).WithTimeout();
        await bob.RemovedFrom.WaitForAsync(r => r.Room == room);

        fixture.Proxy.DropConnections().Should().BePositive();
        await bob.WaitForStateAsync(ChatConnectionState.Connected, occurrence: 2, timeout: Generous);

        bob.Client.Rooms.Should().Equal(lobby);
        (await alice.Client.GetPresenceAsync(room).WithTimeout()).Should().NotContain(p => p.UserId == bob.UserId);
        bob.Logs.Entries.Should().NotContain(e => e.EventId.Name == "RoomRefused" || e.EventId.Name == "RejoinFailed", "the room was not tried again");
        bob.RemovedFrom.Items.Should().ContainSingle();
    }

    [Theory]
    [InlineData(RoomKinds.Private, false, ChatErrorCodes.Forbidden, ChatProtocol.Json)]
    [InlineData(RoomKinds.Private, true, ChatErrorCodes.Banned, ChatProtocol.MessagePack)]
    [InlineData(RoomKinds.Public, false, null, ChatProtocol.MessagePack)]
    [InlineData(RoomKinds.Public, true, ChatErrorCodes.Banned, ChatProtocol.Json)]
    public async Task RemovalWhileDisconnectedIsToldAfterTheReconnectAndTheRoomIsNotRejoined(
        string kind, bool ban, string? refusedWith, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var time = new HoldingTimeProvider();
        await using var alice = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("bob"), protocol, time: time);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, kind, MemberIds: [bob.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        var before = await alice.Client.SendMessageAsync(room, "before").WithTimeout();
        await bob.Messages.WaitForAsync(m => m.Id == before.Id);

        time.Hold();
        fixture.Proxy.DropConnections().Should().BePositive();
        await bob.WaitForStateAsync(ChatConnectionState.Reconnecting, timeout: Generous);
        if (ban)
        {
            await alice.Client.BanMemberAsync(room, bob.UserId, reason: "while you were away").WithTimeout();
        }
        else
        {
            await alice.Client.RemoveMemberAsync(room, bob.UserId).WithTimeout();
        }

        await alice.Client.SendMessageAsync(room, "after").WithTimeout();
        bob.Client.State.Should().Be(ChatConnectionState.Reconnecting, "bob was cut off while alice removed him");
        time.Release();
        await bob.WaitForStateAsync(ChatConnectionState.Connected, occurrence: 2, timeout: Generous);

        var removal = (await bob.RemovedFrom.WaitForCountAsync(1)).Should().ContainSingle().Subject;
        removal.Room.Should().Be(room);
        removal.RefusedWith.Should().Be(refusedWith);
        removal.IsBanned.Should().Be(ban);
        if (refusedWith is null)
        {
            // A public room stays readable: the removal is fetched with the rest, and told as it happened.
            removal.Change!.Should().BeEquivalentTo(new { ActorId = alice.UserId, Member = new { UserId = bob.UserId } });
            bob.MembersRemoved.Items.Should().ContainSingle().Which.EventSequence.Should().Be(removal.Change!.EventSequence);
        }

        bob.Client.Rooms.Should().BeEmpty();
        bob.MessagesIn(room).Select(m => m.Content).Should().Equal("before");
        (await alice.Client.GetMembersAsync(room).WithTimeout()).Should().NotContain(m => m.UserId == bob.UserId, "the reconnect did not make bob a member again");
        (await alice.Client.GetPresenceAsync(room).WithTimeout()).Should().NotContain(p => p.UserId == bob.UserId);
        bob.Client.State.Should().Be(ChatConnectionState.Connected);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MembershipChangesMissedWhileDisconnectedArriveOnceInOrderAfterTheReconnect(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var time = new HoldingTimeProvider();
        await using var alice = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("bob"), protocol, time: time);
        await using var carol = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("carol"), protocol);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        var joined = await bob.Client.JoinRoomAsync(room).WithTimeout();

        time.Hold();
        fixture.Proxy.DropConnections().Should().BePositive();
        await bob.WaitForStateAsync(ChatConnectionState.Reconnecting, timeout: Generous);
        await alice.Client.AddMemberAsync(room, carol.UserId).WithTimeout(Generous);
        await alice.Client.UpdateRoomAsync(room, new UpdateRoomRequest(Topic: "while bob was away")).WithTimeout();
        await alice.Client.SetMemberRoleAsync(room, carol.UserId, MemberRoles.Moderator).WithTimeout();
        await alice.Client.MuteMemberAsync(room, bob.UserId, DateTime.UtcNow.AddMinutes(5)).WithTimeout();
        await alice.Client.SendMessageAsync(room, "welcome carol").WithTimeout();
        await alice.Client.RemoveMemberAsync(room, carol.UserId).WithTimeout();
        bob.Client.State.Should().Be(ChatConnectionState.Reconnecting);
        time.Release();

        var timeline = await bob.Timeline.WaitForCountAsync(6, c => c.Room == room, Generous);
        timeline.Select(c => c.Type).Should().Equal(
            RoomEventTypes.MemberAdded, RoomEventTypes.RoomUpdated, RoomEventTypes.MemberUpdated, RoomEventTypes.MemberUpdated,
            RoomEventTypes.MessagePosted, RoomEventTypes.MemberRemoved);
        timeline.Select(c => c.EventSequence).Should().Equal(Enumerable.Range(1, 6).Select(i => joined.LastEventSequence + i));
        (await bob.RoomUpdates.WaitForAsync(e => e.Room == room)).RoomInfo!.Topic.Should().Be("while bob was away");
        bob.MembersUpdated.Items.Select(e => e.Member!.UserId).Should().Equal(carol.UserId, bob.UserId);
        bob.MembersUpdated.Items[1].Member!.MutedUntil.Should().BeAfter(DateTime.UtcNow, "bob was muted for five minutes");
        bob.MembersRemoved.Items.Should().ContainSingle().Which.Member!.UserId.Should().Be(carol.UserId);
        bob.RemovedFrom.Items.Should().BeEmpty();
        bob.Client.Rooms.Should().Equal(room);

        // Live changes carry on after the recovered ones.
        await alice.Client.UnmuteMemberAsync(room, bob.UserId).WithTimeout();
        (await bob.Timeline.WaitForCountAsync(7, c => c.Room == room)).Last().Should().BeEquivalentTo(new
        {
            Type = RoomEventTypes.MemberUpdated, EventSequence = joined.LastEventSequence + 7,
        });
        await bob.WaitForStateAsync(ChatConnectionState.Connected, occurrence: 2, timeout: Generous);
    }
}
