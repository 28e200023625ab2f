using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Conversations through <see cref="ChatClient"/> against a real server, in both protocols: the typed calls answer what
/// the server does, membership changes arrive as typed events in each room's order, and this user's own additions and
/// removals are told once each, whether the client follows the room or not.
/// </summary>
public sealed class ConversationClientTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task TypedConversationCallsAnswerWhatTheServerStores(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);

        var created = await alice.Client.CreateRoomAsync(
            new CreateRoomRequest(room, RoomKinds.Private, "Team", "Plans", [bob.UserId])).WithTimeout();
        created.Should().BeEquivalentTo(new { Room = room, Kind = RoomKinds.Private, Title = "Team", Topic = "Plans", MemberCount = 2, SlowModeSeconds = 0 });
        created.Members.Should().BeNull("only direct rooms list their members");

        var members = await alice.Client.GetMembersAsync(room).WithTimeout();
        members.Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo([(alice.UserId, MemberRoles.Owner), (bob.UserId, MemberRoles.Member)]);
        members.Select(m => m.UserId).Should().BeInAscendingOrder(StringComparer.Ordinal);
        (await alice.Client.GetMembersAsync(room, afterUserId: members[0].UserId, limit: 1).WithTimeout())
            .Should().ContainSingle().Which.UserId.Should().Be(members[1].UserId);

        var updated = await alice.Client.UpdateRoomAsync(room, new UpdateRoomRequest(Topic: "", SlowModeSeconds: 30)).WithTimeout();
        updated.Should().BeEquivalentTo(new { Title = "Team", Topic = (string?)null, SlowModeSeconds = 30 }, "an empty topic clears it; an absent title stays");

        var moderator = await alice.Client.SetMemberRoleAsync(room, bob.UserId, MemberRoles.Moderator).WithTimeout();
        moderator.Should().BeEquivalentTo(new { Room = room, UserId = bob.UserId, Role = MemberRoles.Moderator });
        var until = DateTime.UtcNow.AddMinutes(10);
        var muted = await alice.Client.MuteMemberAsync(room, bob.UserId, until).WithTimeout();
        muted.MutedUntil.Should().BeCloseTo(until, TimeSpan.FromSeconds(1));
        (await alice.Client.UnmuteMemberAsync(room, bob.UserId).WithTimeout()).MutedUntil.Should().BeNull();

        var mine = await bob.Client.ListMyRoomsAsync().WithTimeout();
        mine.Should().ContainSingle(r => r.Room.Room == room).Which.Should().BeEquivalentTo(new
        {
            Role = MemberRoles.Moderator,
            Room = new { Kind = RoomKinds.Private, Title = "Team", MemberCount = 2, SlowModeSeconds = 30 },
        });

        var direct = await alice.Client.OpenDirectAsync(bob.UserId).WithTimeout();
        direct.Kind.Should().Be(RoomKinds.Direct);
        direct.Room.Should().StartWith(ChatLimits.DirectRoomPrefix);
        direct.Members!.Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo([(alice.UserId, MemberRoles.Member), (bob.UserId, MemberRoles.Member)]);
        (await bob.Client.OpenDirectAsync(alice.UserId).WithTimeout()).Room.Should().Be(direct.Room, "the same room from either side");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MembershipChangesReachJoinedClientsAsTypedEventsInTheRoomsOrder(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("carol"), protocol);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();

        var added = await alice.Client.AddMemberAsync(room, carol.UserId).WithTimeout();
        await alice.Client.UpdateRoomAsync(room, new UpdateRoomRequest(Title: "Team")).WithTimeout();
        await alice.Client.SetMemberRoleAsync(room, carol.UserId, MemberRoles.Moderator).WithTimeout();
        await alice.Client.RemoveMemberAsync(room, carol.UserId).WithTimeout();

        added.Should().BeEquivalentTo(new { Room = room, UserId = carol.UserId, Role = MemberRoles.Member });
        (await bob.MembersAdded.WaitForAsync(e => e.Room == room)).Should().BeEquivalentTo(new { ActorId = alice.UserId, Member = new { UserId = carol.UserId } });
        (await bob.RoomUpdates.WaitForAsync(e => e.Room == room)).RoomInfo!.Title.Should().Be("Team");
        (await bob.MembersUpdated.WaitForAsync(e => e.Room == room)).Member!.Role.Should().Be(MemberRoles.Moderator);
        (await bob.MembersRemoved.WaitForAsync(e => e.Room == room)).Should().BeEquivalentTo(new
        {
            ActorId = alice.UserId,
            Member = new { UserId = carol.UserId, Role = MemberRoles.Moderator, Banned = false },
        });
        var timeline = await bob.Timeline.WaitForCountAsync(4, c => c.Room == room);
        timeline.Select(c => c.Type).Should().Equal(
            RoomEventTypes.MemberAdded, RoomEventTypes.RoomUpdated, RoomEventTypes.MemberUpdated, RoomEventTypes.MemberRemoved);
        timeline.Select(c => c.EventSequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        bob.AddedTo.Items.Where(e => e.Room == room).Should().NotContain(
            e => e.Member!.UserId != bob.UserId, "only his own addition when the room was made is about him; the later changes were about carol");
        bob.RemovedFrom.Items.Should().BeEmpty();
        bob.Client.Rooms.Should().Equal(room);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AddedUserHearsOfTheRoomWithoutJoiningItAndJoinsWhenTheyChoose(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private)).WithTimeout();

        await alice.Client.AddMemberAsync(room, bob.UserId).WithTimeout();
        var direct = await alice.Client.OpenDirectAsync(bob.UserId).WithTimeout();

        (await bob.AddedTo.WaitForAsync(e => e.Room == room)).Should().BeEquivalentTo(new
        {
            Type = RoomEventTypes.MemberAdded,
            ActorId = alice.UserId,
            Member = new { UserId = bob.UserId, Role = MemberRoles.Member },
        });
        (await bob.AddedTo.WaitForAsync(e => e.Room == direct.Room)).Member!.UserId.Should().Be(bob.UserId);
        (await alice.AddedTo.WaitForAsync(e => e.Room == room)).Member!.Role.Should().Be(MemberRoles.Owner, "the creator hears of her room too");
        bob.Client.Rooms.Should().BeEmpty("the client does not join a room by itself");
        bob.Changes.Items.Should().BeEmpty("changes of rooms not joined are not the room's events");

        var joined = await bob.Client.JoinRoomAsync(direct.Room).WithTimeout();
        await alice.Client.JoinRoomAsync(direct.Room).WithTimeout();
        var sent = await alice.Client.SendMessageAsync(direct.Room, "hi bob").WithTimeout();
        (await bob.Messages.WaitForAsync(m => m.Room == direct.Room)).Should().Be(sent);
        joined.Room.Should().Be(direct.Room);
        bob.AddedTo.Items.Count(e => e.Room == room).Should().Be(1, "each addition is told once");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task KickedClientIsToldOnceAndStopsFollowingTheRoom(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var lobby = TestDefaults.UniqueRoom("lobby");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.JoinRoomAsync(lobby).WithTimeout();
        await bob.Client.JoinRoomAsync(lobby).WithTimeout();
        await alice.Client.SendMessageAsync(room, "before").WithTimeout();
        await bob.Messages.WaitForAsync(m => m.Room == room);

        await alice.Client.RemoveMemberAsync(room, bob.UserId).WithTimeout();

        var removal = await bob.RemovedFrom.WaitForAsync(r => r.Room == room);
        removal.Should().BeEquivalentTo(new { RefusedWith = (string?)null, IsBanned = false, IsOwnLeave = false });
        removal.Change!.Should().BeEquivalentTo(new { Type = RoomEventTypes.MemberRemoved, ActorId = alice.UserId, Member = new { UserId = bob.UserId } });
        (await bob.MembersRemoved.WaitForAsync(e => e.Room == room)).EventSequence.Should().Be(removal.Change!.EventSequence);
        bob.Client.Rooms.Should().Equal(lobby);

        // After the removal nothing of the room reaches bob; the lobby's message, sent after, shows he has heard all.
        await alice.Client.SendMessageAsync(room, "after").WithTimeout();
        var marker = await alice.Client.SendMessageAsync(lobby, "marker").WithTimeout();
        (await bob.Messages.WaitForAsync(m => m.Id == marker.Id)).Room.Should().Be(lobby);
        bob.MessagesIn(room).Select(m => m.Content).Should().Equal("before");
        bob.RemovedFrom.Items.Should().ContainSingle("the removal reaches bob twice (room and user) and is told once");
        bob.TimelineOf(room).Select(c => c.EventSequence).Should().OnlyHaveUniqueItems();
        // A private room refuses everything to a non-member, posting included.
        var posting = () => bob.Client.SendMessageAsync(room, "still here?").WithTimeout();
        (await posting.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Forbidden);
        var rejoining = () => bob.Client.JoinRoomAsync(room).WithTimeout();
        (await rejoining.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Forbidden);
        bob.Client.Rooms.Should().Equal(lobby);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task BannedClientIsToldWhyAndKeptOutUntilUnbanned(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        var until = DateTime.UtcNow.AddHours(1);

        await alice.Client.BanMemberAsync(room, bob.UserId, until, "spam").WithTimeout();

        var removal = await bob.RemovedFrom.WaitForAsync(r => r.Room == room);
        removal.IsBanned.Should().BeTrue();
        removal.Change!.Member!.Should().BeEquivalentTo(new { UserId = bob.UserId, Banned = true, BanReason = "spam" });
        removal.Change!.Member!.BannedUntil.Should().BeCloseTo(until, TimeSpan.FromSeconds(1));
        (await alice.MembersRemoved.WaitForAsync(e => e.Room == room)).Member!.Banned.Should().BeTrue();
        bob.Client.Rooms.Should().BeEmpty();
        var rejoining = () => bob.Client.JoinRoomAsync(room).WithTimeout();
        (await rejoining.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Banned);
        var addingBack = () => alice.Client.AddMemberAsync(room, bob.UserId).WithTimeout();
        (await addingBack.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Banned);

        await alice.Client.UnbanMemberAsync(room, bob.UserId).WithTimeout();
        (await alice.MembersUpdated.WaitForAsync(e => e.Room == room)).Member!.Should().BeEquivalentTo(new { UserId = bob.UserId, Banned = false });
        await alice.Client.AddMemberAsync(room, bob.UserId).WithTimeout();
        (await bob.AddedTo.WaitForAsync(e => e.Room == room)).ActorId.Should().Be(alice.UserId);
        (await bob.Client.JoinRoomAsync(room).WithTimeout()).Room.Should().Be(room);
        bob.RemovedFrom.Items.Should().ContainSingle();
    }

    [Fact]
    public async Task LeavingForGoodDropsTheRoomAtOnceAndTellsEveryDeviceOnce()
    {
        var room = TestDefaults.UniqueRoom("team");
        var lobby = TestDefaults.UniqueRoom("lobby");
        var bobsName = TestDefaults.UniqueUser("bob");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, bobsName, ChatProtocol.MessagePack);
        await using var bobsPhone = await ClientUnderTest.StartAsync(Server.BaseAddress, bobsName, ChatProtocol.Json);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await bobsPhone.Client.JoinRoomAsync(room).WithTimeout();
        foreach (var client in new[] { alice, bob, bobsPhone })
        {
            await client.Client.JoinRoomAsync(lobby).WithTimeout();
        }

        await bob.Client.LeaveRoomForGoodAsync(room).WithTimeout();

        bob.Client.Rooms.Should().Equal([lobby], "the room is dropped when the call returns");
        foreach (var device in new[] { bob, bobsPhone })
        {
            var removal = await device.RemovedFrom.WaitForAsync(r => r.Room == room);
            removal.IsOwnLeave.Should().BeTrue();
            removal.Change!.ActorId.Should().Be(bob.UserId);
        }

        (await alice.MembersRemoved.WaitForAsync(e => e.Room == room)).Member!.UserId.Should().Be(bob.UserId);
        bobsPhone.Client.Rooms.Should().Equal([lobby], "the other device follows the leave");
        (await bob.Client.ListMyRoomsAsync().WithTimeout()).Should().NotContain(r => r.Room.Room == room);

        // Whatever else the server sends bob about the room comes before this marker, and is not told again.
        await alice.Client.SendMessageAsync(room, "after bob left").WithTimeout();
        var marker = await alice.Client.SendMessageAsync(lobby, "marker").WithTimeout();
        foreach (var device in new[] { bob, bobsPhone })
        {
            await device.Messages.WaitForAsync(m => m.Id == marker.Id);
            device.RemovedFrom.Items.Should().ContainSingle();
            device.MessagesIn(room).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task RefusedConversationCallsFailWithTheirCodesAndTheConnectionStays()
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await using var carol = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("carol"), ChatProtocol.MessagePack);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        var direct = await alice.Client.OpenDirectAsync(bob.UserId).WithTimeout();
        var nobody = "guest:" + TestDefaults.UniqueUser("nobody");

        var refusals = new (string Call, Func<Task> Act, string Code)[]
        {
            ("create a taken name", () => carol.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Public)), ChatErrorCodes.RoomExists),
            ("create a dm- name", () => carol.Client.CreateRoomAsync(new CreateRoomRequest("dm-mine", RoomKinds.Private)), ChatErrorCodes.Forbidden),
            ("create with an unknown member", () => carol.Client.CreateRoomAsync(new CreateRoomRequest(TestDefaults.UniqueRoom(), RoomKinds.Private, MemberIds: [nobody])), ChatErrorCodes.NotFound),
            ("open a direct room with an unknown user", () => alice.Client.OpenDirectAsync(nobody), ChatErrorCodes.NotFound),
            ("open a direct room with oneself", () => alice.Client.OpenDirectAsync(alice.UserId), ChatErrorCodes.InvalidRequest),
            ("update as a plain member", () => bob.Client.UpdateRoomAsync(room, new UpdateRoomRequest(Title: "mine")), ChatErrorCodes.Forbidden),
            ("slow mode out of range", () => alice.Client.UpdateRoomAsync(room, new UpdateRoomRequest(SlowModeSeconds: ChatLimits.MaxSlowModeSeconds + 1)), ChatErrorCodes.InvalidRequest),
            ("members of another's private room", () => carol.Client.GetMembersAsync(room), ChatErrorCodes.Forbidden),
            ("a page of no members", () => alice.Client.GetMembersAsync(room, limit: 0), ChatErrorCodes.InvalidLimit),
            ("add an unknown user", () => alice.Client.AddMemberAsync(room, nobody), ChatErrorCodes.NotFound),
            ("add as a plain member", () => bob.Client.AddMemberAsync(room, carol.UserId), ChatErrorCodes.Forbidden),
            ("kick the owner", () => bob.Client.RemoveMemberAsync(room, alice.UserId), ChatErrorCodes.Forbidden),
            ("the last owner leaves", () => alice.Client.LeaveRoomForGoodAsync(room), ChatErrorCodes.Forbidden),
            ("leave a direct room", () => bob.Client.LeaveRoomForGoodAsync(direct.Room), ChatErrorCodes.Forbidden),
            ("an unknown role", () => alice.Client.SetMemberRoleAsync(room, bob.UserId, "king"), ChatErrorCodes.InvalidRequest),
            ("demote the last owner", () => alice.Client.SetMemberRoleAsync(room, alice.UserId, MemberRoles.Member), ChatErrorCodes.Forbidden),
            ("a role for a non-member", () => alice.Client.SetMemberRoleAsync(room, carol.UserId, MemberRoles.Moderator), ChatErrorCodes.NotFound),
            ("ban until a past time", () => alice.Client.BanMemberAsync(room, bob.UserId, DateTime.UtcNow.AddMinutes(-1)), ChatErrorCodes.InvalidRequest),
            ("ban as a plain member", () => bob.Client.BanMemberAsync(room, alice.UserId), ChatErrorCodes.Forbidden),
            ("mute in a direct room", () => alice.Client.MuteMemberAsync(direct.Room, bob.UserId, DateTime.UtcNow.AddMinutes(5)), ChatErrorCodes.Forbidden),
        };

        foreach (var (call, act, code) in refusals)
        {
            var bounded = () => act().WithTimeout();
            var refused = await bounded.Should().ThrowAsync<ChatRequestException>(call);
            refused.Which.Code.Should().Be(code, call);
        }

        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.UpdateRoomAsync(room, new UpdateRoomRequest(SlowModeSeconds: 600)).WithTimeout();
        await bob.Client.SendMessageAsync(room, "first").WithTimeout();
        var tooSoon = () => bob.Client.SendMessageAsync(room, "second").WithTimeout();
        var slowed = (await tooSoon.Should().ThrowAsync<ChatRequestException>()).Which;
        slowed.Code.Should().Be(ChatErrorCodes.SlowMode);
        slowed.Message.Should().MatchRegex(@"wait (59\d|600) s", "the sentence says how long is left");
        await alice.Client.MuteMemberAsync(room, bob.UserId, DateTime.UtcNow.AddMinutes(5)).WithTimeout();
        var mutedPost = () => bob.Client.SendMessageAsync(room, "let me speak").WithTimeout();
        (await mutedPost.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Muted);
        new[] { alice, bob, carol }.Should().OnlyContain(c => c.Client.State == ChatConnectionState.Connected);
        bob.Client.Rooms.Should().Equal(room);
    }
}
