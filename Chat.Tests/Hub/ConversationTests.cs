using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Hub;

/// <summary>
/// Rooms that outlast a connection (contract v2, section 3): public and private rooms made on purpose, direct
/// conversations the server names, room settings, "my rooms" that are the same on every device, and paged member lists.
/// </summary>
public sealed class ConversationTests(ConversationTests.Fixture fixture) : IClassFixture<ConversationTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task CreatingAPrivateRoomMakesTheCallerOwnerAndTheListedUsersMembers(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);

        // Room names are compared case-insensitively and come back in lower case.
        var info = await alice.CreateRoom(new CreateRoomRequest(room.ToUpperInvariant(), RoomKinds.Private, "Team", "Plans for Q3", [bob.UserId]));

        info.Should().BeEquivalentTo(new
        {
            Room = room,
            Kind = RoomKinds.Private,
            Title = "Team",
            Topic = "Plans for Q3",
            MemberCount = 2,
            SlowModeSeconds = 0,
            LastSequence = 0L,
            LastEventSequence = 2L,
            Members = (RoomMember[]?)null,
        });
        info.CreatedAt.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        info.CreatedAt.Kind.Should().Be(DateTimeKind.Utc);

        // Neither has joined the room: member.* events reach every connection of the user they are about.
        var bobHears = await bob.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberAdded && e.Member?.UserId == bob.UserId);
        bobHears.Should().BeEquivalentTo(new
        {
            ActorId = alice.UserId,
            ActorName = alice.UserName,
            Member = new { Room = room, UserId = bob.UserId, UserName = bob.UserName, Role = MemberRoles.Member, MutedUntil = (DateTime?)null, Banned = false },
        });
        (await alice.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberAdded && e.Member?.UserId == alice.UserId))
            .Member!.Role.Should().Be(MemberRoles.Owner);

        var log = await bob.ReadAllEventsAsync(room);
        log.Select(e => e.EventSequence).Should().Equal(1, 2);
        log.Should().OnlyContain(e => e.Type == RoomEventTypes.MemberAdded && e.ActorId == alice.UserId);
        log.Select(e => (e.Member!.UserId, e.Member.Role)).Should().BeEquivalentTo([(alice.UserId, MemberRoles.Owner), (bob.UserId, MemberRoles.Member)]);
        (await bob.GetMembers(room, null, 10)).Select(m => (m.UserId, m.UserName, m.Role)).Should().Equal(
            new[] { (alice.UserId, alice.UserName, MemberRoles.Owner), (bob.UserId, bob.UserName, MemberRoles.Member) }.OrderBy(m => m.UserId, StringComparer.Ordinal));

        (await bob.JoinRoom(room)).Should().BeEquivalentTo(new { Room = room, LastEventSequence = 2L });
        await Rejected(() => carol.JoinRoom(room), ChatErrorCodes.Forbidden, "carol was not asked in");
        carol.Changes.Items.Should().BeEmpty("carol hears nothing of a room she is not in");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task APublicRoomIsOpenToAnyoneAndJoiningItMakesALastingMemberWithoutAChange(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);

        var info = await alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Public, Title: "Lobby"));
        await alice.JoinRoom(room);
        var joined = await bob.JoinRoom(room);
        var history = await carol.GetHistory(room, null, 10);

        info.Should().BeEquivalentTo(new { Room = room, Kind = RoomKinds.Public, Title = "Lobby", Topic = (string?)null, MemberCount = 1, LastEventSequence = 1L });
        joined.LastEventSequence.Should().Be(1, "joining a public room is not a change of its log");
        (await alice.Joined.WaitForAsync(e => e.Room == room)).UserId.Should().Be(bob.UserId, "v1's UserJoined still announces a user's first connection");
        history.Should().BeEmpty();
        (await carol.GetMembers(room, null, 10)).Select(m => (m.UserId, m.Role)).Should().Equal(
            new[] { (alice.UserId, MemberRoles.Owner), (bob.UserId, MemberRoles.Member) }.OrderBy(m => m.UserId, StringComparer.Ordinal),
            "bob joined, so he is a lasting member; carol only read");
        (await carol.ListRooms()).Should().Contain(r => r.Room == room);
        (await bob.ListMyRooms()).Should().ContainSingle(r => r.Room.Room == room).Which.Should().BeEquivalentTo(new
        {
            Role = MemberRoles.Member,
            Room = new { Kind = RoomKinds.Public, Title = "Lobby", MemberCount = 2 },
        });
        (await carol.ListMyRooms()).Should().NotContain(r => r.Room.Room == room, "reading a public room does not make a member");
        alice.Changes.Items.Where(e => e.Room == room && e.EventSequence > 1).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task CreatingARoomWhoseNameIsTakenIsRoomExists(ChatProtocol protocol)
    {
        var joinedRoom = TestDefaults.UniqueRoom("v1");
        var createdRoom = TestDefaults.UniqueRoom("made");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await bob.JoinRoom(joinedRoom);
        await bob.CreateRoom(new CreateRoomRequest(createdRoom, RoomKinds.Private, Title: "Bob's"));

        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(joinedRoom, RoomKinds.Public)), ChatErrorCodes.RoomExists, "a room made by joining it exists");
        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(createdRoom.ToUpperInvariant(), RoomKinds.Public)), ChatErrorCodes.RoomExists);
        await Rejected(() => bob.CreateRoom(new CreateRoomRequest(createdRoom, RoomKinds.Private)), ChatErrorCodes.RoomExists, "even for its owner");

        await Rejected(() => alice.JoinRoom(createdRoom), ChatErrorCodes.Forbidden, "the room stayed bob's private room");
        (await bob.GetMembers(createdRoom, null, 10)).Select(m => (m.UserId, m.Role)).Should().Equal((bob.UserId, MemberRoles.Owner));
        (await bob.GetMembers(joinedRoom, null, 10)).Select(m => (m.UserId, m.Role)).Should().Equal((bob.UserId, MemberRoles.Owner));
        (await bob.ListMyRooms()).Single(r => r.Room.Room == createdRoom).Room.Title.Should().Be("Bob's");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NamesStartingWithDmAreKeptForDirectRooms(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        var lookalike = ChatLimits.DirectRoomPrefix + Guid.NewGuid().ToString("N") + "01234567";
        var named = ChatLimits.DirectRoomPrefix + TestDefaults.UniqueRoom("team");

        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(lookalike, RoomKinds.Private)), ChatErrorCodes.Forbidden);
        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(named, RoomKinds.Public)), ChatErrorCodes.Forbidden);
        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(named.ToUpperInvariant(), RoomKinds.Public)), ChatErrorCodes.Forbidden);
        await Rejected(() => alice.JoinRoom(lookalike), ChatErrorCodes.Forbidden, "joining does not create a direct room either");
        await Rejected(() => alice.JoinRoom(named), ChatErrorCodes.Forbidden);

        var rooms = await alice.ListRooms();
        rooms.Should().NotContain(r => r.Room == lookalike || r.Room == named);
        (await alice.ListMyRooms()).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task CreateRequestsOutsideTheRulesAreRefusedAndCreateNothing(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("new");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        var ghost = "guest:" + TestDefaults.UniqueUser("ghost");
        var longestTitle = new string('t', ChatLimits.MaxRoomTitleLength);
        var longestTopic = new string('p', ChatLimits.MaxRoomTopicLength);

        foreach (var kind in new[] { "secret", RoomKinds.Direct, "", "PRIVATE ROOM", null })
        {
            await Rejected(() => alice.CreateRoom(new CreateRoomRequest(room, kind!)), ChatErrorCodes.InvalidRequest, $"kind {kind ?? "null"} is no kind to create");
        }

        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Public, Title: longestTitle + "t")), ChatErrorCodes.InvalidRequest);
        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Public, Topic: longestTopic + "p")), ChatErrorCodes.InvalidRequest);
        await Rejected(() => alice.CreateRoom(new CreateRoomRequest("not a room", RoomKinds.Public)), ChatErrorCodes.InvalidRoomName);
        await Rejected(() => alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId, ghost])), ChatErrorCodes.NotFound, "a user who never signed in is unknown");

        (await alice.ListMyRooms()).Should().BeEmpty("no refused request made a room");
        bob.Changes.Items.Should().BeEmpty("no refused request added bob anywhere");
        var made = await alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private, longestTitle, longestTopic, [bob.UserId]));
        made.Should().BeEquivalentTo(new { Room = room, Title = longestTitle, Topic = longestTopic, MemberCount = 2, LastEventSequence = 2L });
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task OpenDirectGivesBothUsersOneRoomTheServerNames(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);

        var fromAlice = await alice.OpenDirect(bob.UserId);
        var fromBob = await bob.OpenDirect(alice.UserId);
        var again = await alice.OpenDirect(bob.UserId);
        var withCarol = await alice.OpenDirect(carol.UserId);
        var room = fromAlice.Room;

        fromAlice.Room.Should().MatchRegex(DirectRoomName.ToString());
        fromAlice.Should().BeEquivalentTo(new { Kind = RoomKinds.Direct, MemberCount = 2, SlowModeSeconds = 0, LastSequence = 0L, LastEventSequence = 2L });
        fromAlice.Members!.Select(m => (m.Room, m.UserId, m.UserName, m.Role)).Should().BeEquivalentTo(
            [(room, alice.UserId, alice.UserName, MemberRoles.Member), (room, bob.UserId, bob.UserName, MemberRoles.Member)],
            "both are plain members of their conversation");
        fromBob.Should().BeEquivalentTo(fromAlice, ByMembers, "it is the same room from either side, and opening it again changes nothing");
        again.Should().BeEquivalentTo(fromAlice, ByMembers);
        withCarol.Room.Should().NotBe(room).And.MatchRegex(DirectRoomName.ToString());

        var log = await bob.ReadAllEventsAsync(room);
        log.Select(e => (e.EventSequence, e.Type, e.Member!.UserId)).Should().BeEquivalentTo(
            [(1L, RoomEventTypes.MemberAdded, alice.UserId), (2L, RoomEventTypes.MemberAdded, bob.UserId)],
            o => o.WithoutStrictOrdering());
        (await bob.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberAdded && e.Member?.UserId == bob.UserId))
            .ActorId.Should().Be(alice.UserId, "bob hears of the conversation alice opened without having joined it");
        (await alice.GetMembers(room, null, 10)).Select(m => m.UserId).Should().Equal(new[] { alice.UserId, bob.UserId }.Order(StringComparer.Ordinal));

        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var hello = await alice.SendMessage(room, "hi bob, just us");
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Should().Be(hello);
        var answer = await bob.PostMessage(room, new PostMessageRequest("hi alice", ReplyToId: hello.Id));
        (await alice.Messages.WaitForAsync(m => m.Id == answer.Id)).ReplyTo!.Id.Should().Be(hello.Id);
        carol.Messages.Items.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task OpenDirectWithAnUnknownUserOrOneselfIsRefused(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        var ghost = "guest:" + TestDefaults.UniqueUser("ghost");

        await Rejected(() => alice.OpenDirect(ghost), ChatErrorCodes.NotFound, "a user who never signed in is unknown");
        await Rejected(() => alice.OpenDirect(alice.UserId), ChatErrorCodes.InvalidRequest, "a conversation needs two users");

        (await alice.ListMyRooms()).Should().BeEmpty();
        alice.Changes.Items.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task UpdateRoomChangesOnlyWhatItIsGivenAndEveryoneInTheRoomHearsIt(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("plans");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        var created = await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var titled = await alice.UpdateRoom(room, new UpdateRoomRequest(Title: "Launch"));
        var topical = await alice.UpdateRoom(room, new UpdateRoomRequest(Topic: "Friday 10:00", SlowModeSeconds: 30));
        var unchanged = await alice.UpdateRoom(room, new UpdateRoomRequest(Title: "Launch"));
        var cleared = await alice.UpdateRoom(room, new UpdateRoomRequest(Title: "", SlowModeSeconds: 0));

        titled.Should().BeEquivalentTo(new { Room = room, Kind = RoomKinds.Private, Title = "Launch", Topic = (string?)null, SlowModeSeconds = 0, MemberCount = 2, LastEventSequence = 3L, created.CreatedAt });
        topical.Should().BeEquivalentTo(new { Title = "Launch", Topic = "Friday 10:00", SlowModeSeconds = 30, LastEventSequence = 4L }, "an absent field stays as it is");
        unchanged.Should().BeEquivalentTo(topical, ByMembers, "an update that changes nothing takes no number");
        cleared.Title.Should().BeNullOrEmpty("an empty title clears it");
        cleared.Should().BeEquivalentTo(new { Topic = "Friday 10:00", SlowModeSeconds = 0, LastEventSequence = 5L });

        var heard = await bob.Changes.WaitForCountAsync(3, e => e.Room == room && e.Type == RoomEventTypes.RoomUpdated);
        heard.Select(e => e.EventSequence).Should().Equal(3, 4, 5);
        heard.Should().OnlyContain(e => e.ActorId == alice.UserId && e.ActorName == alice.UserName && e.Member == null && e.Message == null);
        heard.Select(e => e.RoomInfo).Should().BeEquivalentTo([titled, topical, cleared], ByMembers, "room.updated carries the room as it is after the change");
        (await bob.GetEventsSince(room, 2, 10)).Events.Should().BeEquivalentTo(heard, ByMembers);
        (await bob.ListMyRooms()).Single(r => r.Room.Room == room).Room.Should().BeEquivalentTo(cleared, ByMembers);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task UpdatesOutsideTheRulesOrByAPlainMemberAreRefused(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("plans");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePublicRoomAsync(room, bob);
        var before = await bob.LastEventSequenceAsync(room);

        foreach (var seconds in new[] { -1, ChatLimits.MaxSlowModeSeconds + 1, int.MinValue })
        {
            await Rejected(() => alice.UpdateRoom(room, new UpdateRoomRequest(SlowModeSeconds: seconds)), ChatErrorCodes.InvalidRequest, $"slow mode {seconds}");
        }

        await Rejected(() => alice.UpdateRoom(room, new UpdateRoomRequest(Title: new string('t', ChatLimits.MaxRoomTitleLength + 1))), ChatErrorCodes.InvalidRequest);
        await Rejected(() => alice.UpdateRoom(room, new UpdateRoomRequest(Topic: new string('p', ChatLimits.MaxRoomTopicLength + 1))), ChatErrorCodes.InvalidRequest);
        await Rejected(() => bob.UpdateRoom(room, new UpdateRoomRequest(Title: "bob's now")), ChatErrorCodes.Forbidden, "a plain member may not change the room");

        (await bob.LastEventSequenceAsync(room)).Should().Be(before, "a refused update changes nothing");
        var longest = await alice.UpdateRoom(room, new UpdateRoomRequest(
            new string('t', ChatLimits.MaxRoomTitleLength), new string('p', ChatLimits.MaxRoomTopicLength), ChatLimits.MaxSlowModeSeconds));
        longest.Should().BeEquivalentTo(new { SlowModeSeconds = ChatLimits.MaxSlowModeSeconds, LastEventSequence = before + 1 });
        longest.Title.Should().HaveLength(ChatLimits.MaxRoomTitleLength);
        longest.Topic.Should().HaveLength(ChatLimits.MaxRoomTopicLength);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ListMyRoomsListsEveryKindWithTheCallersRoleNewestActivityFirstOnEveryDevice(ChatProtocol protocol)
    {
        var aliceName = TestDefaults.UniqueUser("alice");
        var lobby = TestDefaults.UniqueRoom("lobby");
        var club = TestDefaults.UniqueRoom("club");
        var team = TestDefaults.UniqueRoom("team");
        var theirs = TestDefaults.UniqueRoom("theirs");
        var readOnly = TestDefaults.UniqueRoom("read");
        await using var alice = await Server.ConnectWelcomedAsync(aliceName, protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);

        await alice.JoinRoom(lobby);
        await bob.CreatePublicRoomAsync(club, bob, alice);
        await bob.CreatePrivateRoomAsync(team, alice);
        await bob.JoinRoom(team);
        var direct = (await alice.OpenDirect(carol.UserId)).Room;
        await carol.JoinRoom(direct);
        await bob.CreatePrivateRoomAsync(theirs, carol);
        await bob.JoinRoom(theirs);
        await bob.JoinRoom(readOnly);
        await alice.GetHistory(readOnly, null, 10);

        // Activity in a known order: the list puts the room with the newest first.
        var lobbyFirst = await alice.SendMessage(lobby, "l1");
        var inClub = await bob.SendMessage(club, "c1");
        var inTeam = await bob.SendMessage(team, "t1");
        var inDirect = await carol.SendMessage(direct, "d1");
        await bob.SendMessage(theirs, "not alice's business");
        var inLobby = await alice.SendMessage(lobby, "l2");

        var mine = await alice.ListMyRooms();

        mine.Select(r => (r.Room.Room, r.Room.Kind, r.Role)).Should().Equal(
            (lobby, RoomKinds.Public, MemberRoles.Owner),
            (direct, RoomKinds.Direct, MemberRoles.Member),
            (team, RoomKinds.Private, MemberRoles.Member),
            (club, RoomKinds.Public, MemberRoles.Member));
        mine.Select(r => r.LastMessage).Should().Equal(inLobby, inDirect, inTeam, inClub);
        lobbyFirst.Sequence.Should().Be(1);
        mine[0].Room.LastSequence.Should().Be(2);
        mine[1].Room.Members!.Select(m => m.UserId).Should().BeEquivalentTo([alice.UserId, carol.UserId]);
        mine[2].Room.MemberCount.Should().Be(2);

        // A second device that never joined anything sees the same list.
        await using var tablet = await Server.ConnectWelcomedAsync(aliceName, protocol);
        (await tablet.ListMyRooms()).Should().BeEquivalentTo(mine, ByMembers);
        (await carol.ListMyRooms()).Select(r => r.Room.Room).Should().Equal(theirs, direct);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task LeavingALiveSubscriptionKeepsTheMembershipWhileLeavingForGoodEndsItOnEveryDevice(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var elsewhere = TestDefaults.UniqueRoom("elsewhere");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bobPhone = await Server.ConnectWelcomedAsync(bobName, protocol);
        await using var bobLaptop = await Server.ConnectWelcomedAsync(bobName, protocol);
        await alice.CreatePrivateRoomAsync(room, bobPhone);
        await alice.JoinRoom(room);
        await alice.JoinRoom(elsewhere);
        await bobPhone.JoinRoom(elsewhere);

        await bobPhone.JoinRoom(room);
        await bobPhone.LeaveRoom(room);

        (await bobLaptop.ListMyRooms()).Should().Contain(r => r.Room.Room == room, "LeaveRoom ends only this connection's subscription");
        (await bobPhone.GetHistory(room, null, 10)).Should().BeEmpty();
        await bobPhone.JoinRoom(room);
        (await alice.GetMembers(room, null, 10)).Should().Contain(m => m.UserId == bobPhone.UserId);

        await bobLaptop.RemoveMember(room, bobLaptop.UserId);

        await bobPhone.ShouldHearNoMoreOfAsync(room, alice, alice, elsewhere);
        foreach (var connection in new[] { bobPhone, bobLaptop, alice })
        {
            (await connection.RemovalOfAsync(room, bobPhone.UserId)).Should().BeEquivalentTo(new
            {
                ActorId = bobPhone.UserId,
                Member = new { Room = room, UserId = bobPhone.UserId, Role = MemberRoles.Member, Banned = false },
            });
        }

        (await bobPhone.ListMyRooms()).Should().NotContain(r => r.Room.Room == room);
        (await bobLaptop.ListMyRooms()).Should().NotContain(r => r.Room.Room == room);
        await Rejected(() => bobLaptop.JoinRoom(room), ChatErrorCodes.Forbidden, "bob left the private room for good");
        await Rejected(() => bobPhone.SendMessage(room, "still here?"), ChatErrorCodes.Forbidden);
        (await alice.GetMembers(room, null, 10)).Select(m => m.UserId).Should().Equal(alice.UserId);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetMembersPagesTheLastingMembersByUserId(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("big");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var crowd = await Crowd.ConnectAsync(Server, 5, "m", protocol);
        await alice.CreatePrivateRoomAsync(room, [.. crowd.People]);
        var everyone = crowd.People.Select(p => p.UserId).Append(alice.UserId).Order(StringComparer.Ordinal).ToList();

        var pages = new List<RoomMember[]>();
        string? after = null;
        do
        {
            pages.Add(await crowd.People[0].GetMembers(room, after, 2));
            after = pages[^1].LastOrDefault()?.UserId;
        }
        while (pages[^1].Length > 0);

        pages.Select(p => p.Length).Should().Equal(2, 2, 2, 0);
        var members = pages.SelectMany(p => p).ToList();
        members.Select(m => m.UserId).Should().Equal(everyone, "members come ordered by user id (ordinal)");
        members.Should().OnlyContain(m => m.Room == room && m.Role == (m.UserId == alice.UserId ? MemberRoles.Owner : MemberRoles.Member));
        members.Select(m => m.UserName).Should().Equal(everyone.Select(id => crowd.People.Append(alice).Single(p => p.UserId == id).UserName));
        (await alice.GetMembers(room, everyone[2], ChatLimits.MaxMembersPage)).Select(m => m.UserId).Should().Equal(everyone.Skip(3));

        foreach (var limit in new[] { 0, -1, ChatLimits.MaxMembersPage + 1 })
        {
            await Rejected(() => alice.GetMembers(room, null, limit), ChatErrorCodes.InvalidLimit, $"limit {limit}");
        }
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AnAddedUsersEveryConnectionHearsOfTheRoomAndCanThenJoinAndRead(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var bobPhone = await Server.ConnectWelcomedAsync(bobName, protocol);
        await using var bobLaptop = await Server.ConnectWelcomedAsync(bobName, protocol);
        await alice.CreatePrivateRoomAsync(room, carol);
        await alice.JoinRoom(room);
        var earlier = await alice.SendMessage(room, "before bob came");

        var added = await alice.AddMember(room, bobPhone.UserId);

        added.Should().BeEquivalentTo(new { Room = room, UserId = bobPhone.UserId, UserName = bobName, Role = MemberRoles.Member, MutedUntil = (DateTime?)null, Banned = false });
        added.JoinedAt.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        foreach (var connection in new[] { bobPhone, bobLaptop, alice })
        {
            var heard = await connection.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberAdded && e.Member?.UserId == bobPhone.UserId);
            heard.Should().BeEquivalentTo(new { EventSequence = 4L, ActorId = alice.UserId, ActorName = alice.UserName });
            heard.Member.Should().BeEquivalentTo(added, ByMembers);
        }

        (await bobLaptop.ListMyRooms()).Should().ContainSingle(r => r.Room.Room == room).Which.Role.Should().Be(MemberRoles.Member);
        (await bobLaptop.JoinRoom(room)).RecentMessages.Should().Equal(earlier);
        (await bobPhone.GetHistory(room, null, 10)).Should().Equal(earlier);

        var again = await alice.AddMember(room, bobPhone.UserId);
        again.Should().BeEquivalentTo(added, ByMembers, "adding a member again returns the member");
        (await alice.LastEventSequenceAsync(room)).Should().Be(4, "and changes nothing");

        await Rejected(() => alice.AddMember(room, "guest:" + TestDefaults.UniqueUser("ghost")), ChatErrorCodes.NotFound);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await Rejected(() => bobPhone.AddMember(room, dave.UserId), ChatErrorCodes.Forbidden, "a plain member may not add people");
        (await alice.LastEventSequenceAsync(room)).Should().Be(4);
        dave.Changes.Items.Should().BeEmpty();
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
