using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Hub;

/// <summary>
/// Who may do what in a room (contract v2, section 3): roles, kicks, bans, mutes, slow mode, moderators' deletes, and
/// server administrators acting as owners. A removed user is out at once; a ban or mute lasts exactly until it ends.
/// </summary>
public sealed class ModerationTests(ModerationTests.Fixture fixture) : IClassFixture<ModerationTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task OnlyTheOwnerGivesRolesAndEveryoneInTheRoomHearsIt(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob, carol);
        foreach (var member in new[] { alice, bob, carol })
        {
            await member.JoinRoom(room);
        }

        await Rejected(() => bob.SetMemberRole(room, carol.UserId, MemberRoles.Moderator), ChatErrorCodes.Forbidden, "a plain member gives no roles");
        var promoted = await alice.SetMemberRole(room, bob.UserId, MemberRoles.Moderator);
        await Rejected(() => bob.SetMemberRole(room, carol.UserId, MemberRoles.Moderator), ChatErrorCodes.Forbidden, "nor does a moderator: owners only");
        await Rejected(() => bob.SetMemberRole(room, bob.UserId, MemberRoles.Owner), ChatErrorCodes.Forbidden, "nobody crowns themselves");
        var unchanged = await alice.SetMemberRole(room, bob.UserId, MemberRoles.Moderator);
        foreach (var role in new[] { "admin", "", "Moderator ", "banned" })
        {
            await Rejected(() => alice.SetMemberRole(room, carol.UserId, role), ChatErrorCodes.InvalidRequest, $"role \"{role}\"");
        }

        await Rejected(() => alice.SetMemberRole(room, dave.UserId, MemberRoles.Moderator), ChatErrorCodes.NotFound, "dave is no member");

        promoted.Should().BeEquivalentTo(new { Room = room, UserId = bob.UserId, UserName = bob.UserName, Role = MemberRoles.Moderator });
        unchanged.Should().BeEquivalentTo(promoted, ByMembers);
        foreach (var member in new[] { alice, bob, carol })
        {
            var heard = await member.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated);
            heard.Should().BeEquivalentTo(new { EventSequence = 4L, ActorId = alice.UserId, Member = new { UserId = bob.UserId, Role = MemberRoles.Moderator } });
        }

        (await alice.LastEventSequenceAsync(room)).Should().Be(4, "giving a role someone has already, or a refused call, changes nothing");
        (await carol.GetMembers(room, null, 10)).Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo(
            [(alice.UserId, MemberRoles.Owner), (bob.UserId, MemberRoles.Moderator), (carol.UserId, MemberRoles.Member)]);
        (await bob.ListMyRooms()).Single(r => r.Room.Room == room).Role.Should().Be(MemberRoles.Moderator);
        dave.Changes.Items.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ARoomAlwaysKeepsAnOwner(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);

        await Rejected(() => alice.RemoveMember(room, alice.UserId), ChatErrorCodes.Forbidden, "the last owner cannot leave");
        await Rejected(() => alice.SetMemberRole(room, alice.UserId, MemberRoles.Member), ChatErrorCodes.Forbidden, "nor step down");
        await Rejected(() => alice.SetMemberRole(room, alice.UserId, MemberRoles.Moderator), ChatErrorCodes.Forbidden);

        await alice.SetMemberRole(room, bob.UserId, MemberRoles.Owner);
        var steppedDown = await alice.SetMemberRole(room, alice.UserId, MemberRoles.Member);
        await Rejected(() => bob.RemoveMember(room, bob.UserId), ChatErrorCodes.Forbidden, "now bob is the last owner");
        await Rejected(() => alice.SetMemberRole(room, bob.UserId, MemberRoles.Member), ChatErrorCodes.Forbidden, "alice is no owner any more");
        await alice.RemoveMember(room, alice.UserId);

        steppedDown.Role.Should().Be(MemberRoles.Member);
        (await bob.GetMembers(room, null, 10)).Select(m => (m.UserId, m.Role)).Should().Equal((bob.UserId, MemberRoles.Owner));
        await Rejected(() => alice.GetHistory(room, null, 10), ChatErrorCodes.Forbidden, "alice left the private room for good");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AKickedUserHearsTheRemovalThenNothingMoreAndMayComeBackToAPublicRoom(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        var elsewhere = TestDefaults.UniqueRoom("elsewhere");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var bobPhone = await Server.ConnectWelcomedAsync(bobName, protocol);
        await using var bobLaptop = await Server.ConnectWelcomedAsync(bobName, protocol);
        await alice.CreatePublicRoomAsync(room, alice, carol, bobPhone, bobLaptop);
        foreach (var connection in new[] { alice, bobPhone, bobLaptop })
        {
            await connection.JoinRoom(elsewhere);
        }

        await alice.RemoveMember(room, bobPhone.UserId);

        await ShouldHearNoMoreOfAsync([bobPhone, bobLaptop], room, alice, [carol], elsewhere);
        foreach (var connection in new[] { bobPhone, bobLaptop, carol, alice })
        {
            (await connection.RemovalOfAsync(room, bobPhone.UserId)).Should().BeEquivalentTo(new
            {
                ActorId = alice.UserId,
                ActorName = alice.UserName,
                Member = new { Room = room, UserId = bobPhone.UserId, UserName = bobName, Role = MemberRoles.Member, Banned = false },
            });
        }

        await Rejected(() => bobPhone.SendMessage(room, "hey!"), ChatErrorCodes.NotAMember, "a kicked connection is out of the room");
        await Rejected(() => bobLaptop.SetTyping(room, true), ChatErrorCodes.NotAMember);
        (await alice.GetMembers(room, null, 10)).Should().NotContain(m => m.UserId == bobPhone.UserId);
        (await bobLaptop.ListMyRooms()).Should().NotContain(r => r.Room.Room == room);

        // A kick is no ban: a public room takes him back.
        await bobPhone.JoinRoom(room);
        var welcome = await alice.SendMessage(room, "welcome back, behave");
        (await bobPhone.Messages.WaitForAsync(m => m.Id == welcome.Id)).Content.Should().Be("welcome back, behave");
        (await bobPhone.SendMessage(room, "sorry")).Sequence.Should().Be(welcome.Sequence + 1);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AModeratorKicksPlainMembersButNeitherOwnersNorOtherModerators(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var elsewhere = TestDefaults.UniqueRoom("elsewhere");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob, carol, dave);
        await alice.SetMemberRole(room, bob.UserId, MemberRoles.Moderator);
        await alice.SetMemberRole(room, carol.UserId, MemberRoles.Moderator);
        foreach (var member in new[] { alice, bob, carol, dave })
        {
            await member.JoinRoom(room);
        }

        await alice.JoinRoom(elsewhere);
        await dave.JoinRoom(elsewhere);

        await Rejected(() => dave.RemoveMember(room, bob.UserId), ChatErrorCodes.Forbidden, "a plain member kicks nobody");
        await Rejected(() => bob.RemoveMember(room, alice.UserId), ChatErrorCodes.Forbidden, "a moderator cannot kick an owner");
        await Rejected(() => bob.RemoveMember(room, carol.UserId), ChatErrorCodes.Forbidden, "nor another moderator");
        await bob.RemoveMember(room, dave.UserId);

        await dave.ShouldHearNoMoreOfAsync(room, alice, carol, elsewhere);
        (await dave.RemovalOfAsync(room, dave.UserId)).ActorId.Should().Be(bob.UserId);
        await Rejected(() => dave.JoinRoom(room), ChatErrorCodes.Forbidden, "dave is out of the private room");
        await Rejected(() => dave.GetHistory(room, null, 10), ChatErrorCodes.Forbidden);
        await Rejected(() => dave.SendMessage(room, "let me back"), ChatErrorCodes.Forbidden);

        await alice.RemoveMember(room, carol.UserId);
        (await carol.RemovalOfAsync(room, carol.UserId)).Member!.Role.Should().Be(MemberRoles.Moderator, "the event shows the member as they were");
        (await alice.GetMembers(room, null, 10)).Select(m => m.UserId).Should().BeEquivalentTo([alice.UserId, bob.UserId]);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ABannedUserIsBannedOnEveryCallOnTheRoomUntilUnbanned(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        var elsewhere = TestDefaults.UniqueRoom("elsewhere");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob, carol);
        await alice.JoinRoom(elsewhere);
        await bob.JoinRoom(elsewhere);
        var spam = await bob.SendMessage(room, "buy now");
        var liked = await carol.AddReaction(room, spam.Id, "👍");
        await bob.AddReaction(room, spam.Id, "👍");

        await alice.BanMember(room, bob.UserId, null, "spam");

        await bob.ShouldHearNoMoreOfAsync(room, alice, carol, elsewhere);
        foreach (var connection in new[] { bob, carol })
        {
            (await connection.RemovalOfAsync(room, bob.UserId)).Should().BeEquivalentTo(new
            {
                ActorId = alice.UserId,
                Member = new { UserId = bob.UserId, Role = MemberRoles.Member, Banned = true, BannedUntil = (DateTime?)null, BanReason = "spam" },
            });
        }

        await EveryCallOn(bob, room, liked, carol, dave).ShouldAllBeRejectedAsync(ChatErrorCodes.Banned, "bob is banned for good");
        (await bob.ListMyRooms()).Should().NotContain(r => r.Room.Room == room);
        (await carol.GetMembers(room, null, 10)).Should().NotContain(m => m.UserId == bob.UserId);

        await alice.UnbanMember(room, bob.UserId);

        (await alice.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated && e.Member?.UserId == bob.UserId))
            .Should().BeEquivalentTo(new { ActorId = alice.UserId, Member = new { UserId = bob.UserId, Banned = false } }, "the room hears of the unban");

        await bob.JoinRoom(room);
        var back = await bob.SendMessage(room, "sorry, no more ads");
        (await carol.Messages.WaitForAsync(m => m.Id == back.Id)).SenderId.Should().Be(bob.UserId);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task InAPrivateRoomABanAnswersBannedAndOutlastsMembershipAndAnUnbanDoesNotReAdd(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);

        await alice.BanMember(room, bob.UserId, null, null);
        await alice.BanMember(room, carol.UserId, null, "pre-emptive");

        await Rejected(() => bob.JoinRoom(room), ChatErrorCodes.Banned, "banned, not merely forbidden");
        await Rejected(() => carol.JoinRoom(room), ChatErrorCodes.Banned, "a ban also keeps out someone who was never a member");
        await Rejected(() => alice.AddMember(room, bob.UserId), ChatErrorCodes.Banned, "a banned user cannot be added");
        await Rejected(() => alice.AddMember(room, carol.UserId), ChatErrorCodes.Banned);
        var carolBanned = await alice.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated && e.Member?.UserId == carol.UserId);
        carolBanned.Member.Should().BeEquivalentTo(new { Banned = true, BanReason = "pre-emptive", BannedUntil = (DateTime?)null });
        (await bob.RemovalOfAsync(room, bob.UserId)).Member!.Should().BeEquivalentTo(new { Banned = true, BanReason = (string?)null });

        await alice.UnbanMember(room, bob.UserId);

        await Rejected(() => bob.JoinRoom(room), ChatErrorCodes.Forbidden, "an unban lets bob be added again; it does not make him a member");
        await alice.AddMember(room, bob.UserId);
        await bob.JoinRoom(room);
        await Rejected(() => carol.GetHistory(room, null, 10), ChatErrorCodes.Banned, "carol is still banned");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EveryConnectionOfAUserHearsTheirRoleMuteBanAndUnbanWithoutHavingJoined(ChatProtocol protocol)
    {
        // The brief: member.* events reach every connection of the user they are about, not only the room's; a
        // banned or unbanned user cannot be in the room to hear it otherwise.
        var room = TestDefaults.UniqueRoom("team");
        var bobName = TestDefaults.UniqueUser("bob");
        var delivery = TimeSpan.FromSeconds(10);
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bobPhone = await Server.ConnectWelcomedAsync(bobName, protocol);
        await using var bobLaptop = await Server.ConnectWelcomedAsync(bobName, protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bobPhone);

        var promoted = await alice.SetMemberRole(room, bobPhone.UserId, MemberRoles.Moderator);
        var muted = await alice.MuteMember(room, bobPhone.UserId, DateTime.UtcNow.AddHours(1));
        await alice.BanMember(room, carol.UserId, null, "pre-emptive");
        await alice.UnbanMember(room, carol.UserId);

        foreach (var bob in new[] { bobPhone, bobLaptop })
        {
            var updates = await bob.Changes.WaitForCountAsync(2, e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated, delivery);
            updates.Select(e => e.Member).Should().BeEquivalentTo([promoted, muted], ByMembers, "bob hears of his role and his mute on every device");
        }

        var carolHears = await carol.Changes.WaitForCountAsync(2, e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated, delivery);
        carolHears.Select(e => (e.Member!.UserId, e.Member.Banned)).Should().Equal([(carol.UserId, true), (carol.UserId, false)],
            "carol hears she was banned, and that she may come back");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task BansOutsideTheRulesOrByThoseWithoutTheRightAreRefused(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob, carol);
        await alice.SetMemberRole(room, bob.UserId, MemberRoles.Moderator);
        var before = await alice.LastEventSequenceAsync(room);

        await Rejected(() => alice.BanMember(room, carol.UserId, DateTime.UtcNow.AddMinutes(-1), null), ChatErrorCodes.InvalidRequest, "a ban that ended already");
        await Rejected(() => alice.BanMember(room, carol.UserId, null, new string('r', ChatLimits.MaxBanReasonLength + 1)), ChatErrorCodes.InvalidRequest);
        await Rejected(() => carol.BanMember(room, bob.UserId, null, null), ChatErrorCodes.Forbidden, "a plain member bans nobody");
        await Rejected(() => carol.UnbanMember(room, bob.UserId), ChatErrorCodes.Forbidden);
        await Rejected(() => bob.BanMember(room, alice.UserId, null, null), ChatErrorCodes.Forbidden, "a moderator cannot ban an owner");

        (await alice.LastEventSequenceAsync(room)).Should().Be(before, "no refused ban changed anything");
        await alice.BanMember(room, carol.UserId, null, new string('r', ChatLimits.MaxBanReasonLength));
        (await alice.LastEventSequenceAsync(room)).Should().Be(before + 1);
    }

    [Fact]
    public async Task ABanWithAnEndEndsByItself()
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"));
        await alice.CreatePublicRoomAsync(room, alice, bob);
        var until = DateTime.UtcNow.AddSeconds(3);

        await alice.BanMember(room, bob.UserId, until, "cool down");

        (await bob.RemovalOfAsync(room, bob.UserId)).Member!.BannedUntil.Should().BeCloseTo(until, TimeSpan.FromSeconds(1));
        await Rejected(() => bob.JoinRoom(room), ChatErrorCodes.Banned, "the ban is in force until it ends");
        await Eventually.MatchesAsync(
            () => IsRejectedWithAsync(() => bob.JoinRoom(room), ChatErrorCodes.Banned), banned => !banned, because: "the ban ends by itself");
        DateTime.UtcNow.Should().BeOnOrAfter(until.AddSeconds(-1), "the ban lasted until its end");
        var back = await bob.SendMessage(room, "I'm back");
        (await alice.Messages.WaitForAsync(m => m.Id == back.Id)).SenderId.Should().Be(bob.UserId);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AMutedMemberCannotPostEditReactOrTypeUntilUnmuted(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var his = await bob.SendMessage(room, "loud");
        var hers = await alice.SendMessage(room, "quiet, please");
        await bob.AddReaction(room, hers.Id, "👍");
        var until = DateTime.UtcNow.AddHours(1);

        var muted = await alice.MuteMember(room, bob.UserId, until);

        muted.Should().BeEquivalentTo(new { Room = room, UserId = bob.UserId, Role = MemberRoles.Member });
        muted.MutedUntil.Should().BeCloseTo(until, TimeSpan.FromSeconds(1));
        foreach (var connection in new[] { alice, bob })
        {
            (await connection.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated)).Member!.MutedUntil
                .Should().BeCloseTo(until, TimeSpan.FromSeconds(1));
        }

        (await alice.GetMembers(room, null, 10)).Single(m => m.UserId == bob.UserId).MutedUntil.Should().BeCloseTo(until, TimeSpan.FromSeconds(1));
        var before = await alice.LastEventSequenceAsync(room);
        await new (string, Func<Task>)[]
        {
            ("SendMessage", () => bob.SendMessage(room, "let me speak")),
            ("PostMessage", () => bob.PostMessage(room, new PostMessageRequest("let me speak", ReplyToId: hers.Id))),
            ("EditMessage", () => bob.EditMessage(room, his.Id, "LOUDER")),
            ("AddReaction", () => bob.AddReaction(room, hers.Id, "😠")),
            ("RemoveReaction", () => bob.RemoveReaction(room, hers.Id, "👍")),
            ("SetTyping(true)", () => bob.SetTyping(room, true)),
        }.ShouldAllBeRejectedAsync(ChatErrorCodes.Muted, "bob is muted for an hour");
        (await bob.GetHistory(room, null, 10)).Select(m => m.Id).Should().Equal([his.Id, hers.Id], "a muted member still reads");
        (await alice.LastEventSequenceAsync(room)).Should().Be(before, "nothing a muted member tried changed the room");

        var unmuted = await alice.MuteMember(room, bob.UserId, null);

        unmuted.MutedUntil.Should().BeNull();
        (await bob.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated && e.Member?.MutedUntil == null))
            .EventSequence.Should().Be(before + 1, "bob hears he may speak again");
        await bob.SetTyping(room, true);
        (await alice.Typing.WaitForAsync(t => t.Room == room && t.UserId == bob.UserId)).IsTyping.Should().BeTrue();
        var spoken = await bob.SendMessage(room, "thanks");
        (await alice.Messages.WaitForAsync(m => m.Id == spoken.Id)).Content.Should().Be("thanks");
        await bob.EditMessage(room, his.Id, "sorry for shouting");
    }

    [Fact]
    public async Task AMuteWithAnEndEndsByItselfAndOneInThePastUnmutes()
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"));
        await alice.CreatePublicRoomAsync(room, alice, bob);

        await alice.MuteMember(room, bob.UserId, DateTime.UtcNow.AddHours(1));
        await Rejected(() => bob.SendMessage(room, "hello?"), ChatErrorCodes.Muted);
        (await alice.MuteMember(room, bob.UserId, DateTime.UtcNow.AddMinutes(-1))).MutedUntil.Should().BeNull("a mute that ended already is an unmute");
        await bob.SendMessage(room, "hello!");

        var until = DateTime.UtcNow.AddSeconds(3);
        await alice.MuteMember(room, bob.UserId, until);
        await Rejected(() => bob.SendMessage(room, "hello?"), ChatErrorCodes.Muted, "the mute is in force until it ends");
        await Eventually.MatchesAsync(
            () => IsRejectedWithAsync(() => bob.SendMessage(room, "hello again"), ChatErrorCodes.Muted), muted => !muted, because: "the mute ends by itself");
        DateTime.UtcNow.Should().BeOnOrAfter(until.AddSeconds(-1), "the mute lasted until its end");
        await Rejected(() => bob.MuteMember(room, alice.UserId, DateTime.UtcNow.AddHours(1)), ChatErrorCodes.Forbidden, "a plain member mutes nobody");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SlowModeLetsAPlainMemberPostOncePerIntervalAndSaysHowLongToWait(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("slow");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var admin = await Server.ConnectWelcomedAsync(fixture.AdminName, protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob, carol, admin);
        await alice.SetMemberRole(room, carol.UserId, MemberRoles.Moderator);
        await alice.UpdateRoom(room, new UpdateRoomRequest(SlowModeSeconds: 60));
        var first = await bob.SendMessage(room, "one");
        var refused = await Rejected(() => bob.SendMessage(room, "two"), ChatErrorCodes.SlowMode);
        var refusedPost = await Rejected(() => bob.PostMessage(room, new PostMessageRequest("two", ReplyToId: first.Id)), ChatErrorCodes.SlowMode);

        SecondsToWait(refused).Should().BeInRange(50, 60, "bob just posted, so nearly the whole minute is left");
        SecondsToWait(refusedPost).Should().BeInRange(50, 60);
        foreach (var exempt in new[] { alice, carol, admin })
        {
            for (var i = 0; i < 3; i++)
            {
                await exempt.SendMessage(room, $"{exempt.UserName} {i}");
            }
        }

        (await alice.GetHistory(room, null, 50)).Where(m => m.SenderId == bob.UserId).Select(m => m.Id).Should().Equal(first.Id);
        await alice.UpdateRoom(room, new UpdateRoomRequest(SlowModeSeconds: 0));
        await bob.SendMessage(room, "two, at last");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AModeratorDeletesAnyonesMessageWhileAPlainMemberDeletesOnlyTheirOwn(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob, carol);
        var rude = await bob.SendMessage(room, "something rude");
        var ruder = await bob.SendMessage(room, "something ruder");
        var hers = await alice.SendMessage(room, "the owner speaks");

        await Rejected(() => carol.DeleteMessage(room, rude.Id), ChatErrorCodes.Forbidden, "a plain member deletes only their own messages");
        await Rejected(() => bob.DeleteMessage(room, hers.Id), ChatErrorCodes.Forbidden);
        await alice.SetMemberRole(room, carol.UserId, MemberRoles.Moderator);
        await carol.DeleteMessage(room, rude.Id);
        await alice.DeleteMessage(room, ruder.Id);
        await Rejected(() => carol.EditMessage(room, hers.Id, "edited by a moderator"), ChatErrorCodes.Forbidden, "moderators delete; only the sender edits");

        var deletions = await bob.Changes.WaitForCountAsync(2, e => e.Room == room && e.Type == RoomEventTypes.MessageDeleted);
        deletions.Select(e => (e.MessageId, e.ActorId)).Should().Equal((rude.Id, carol.UserId), (ruder.Id, alice.UserId));
        (await bob.GetHistory(room, null, 10)).Select(m => m.IsDeleted).Should().Equal(true, true, false);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AnAdministratorActsAsOwnerInRoomsMadeByOthers(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var lobby = TestDefaults.UniqueRoom("lobby");
        await using var admin = await Server.ConnectWelcomedAsync(fixture.AdminName, protocol);
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var abuse = await bob.SendMessage(room, "abuse");
        await alice.JoinRoom(lobby);

        (await admin.GetHistory(room, null, 10)).Should().Equal(abuse);
        (await admin.GetMembers(room, null, 10)).Should().HaveCount(2);
        await admin.JoinRoom(room);
        (await admin.UpdateRoom(room, new UpdateRoomRequest(Title: "Moderated", SlowModeSeconds: 60))).Title.Should().Be("Moderated");
        await admin.SendMessage(room, "a word from the admin");
        await admin.SendMessage(room, "and another: admins are exempt from slow mode");
        await admin.DeleteMessage(room, abuse.Id);
        (await admin.SetMemberRole(room, bob.UserId, MemberRoles.Moderator)).Role.Should().Be(MemberRoles.Moderator);
        var until = DateTime.UtcNow.AddHours(1);
        (await admin.MuteMember(room, bob.UserId, until)).MutedUntil.Should().BeCloseTo(until, TimeSpan.FromMilliseconds(1));
        await admin.MuteMember(room, bob.UserId, null);
        (await admin.AddMember(room, carol.UserId)).Role.Should().Be(MemberRoles.Member);
        await admin.RemoveMember(room, carol.UserId);
        await admin.BanMember(room, carol.UserId, null, "admin says so");
        await admin.UnbanMember(room, carol.UserId);
        (await admin.UpdateRoom(lobby, new UpdateRoomRequest(Topic: "also in a public room alice made"))).Topic.Should().Be("also in a public room alice made");

        var log = await alice.ReadAllEventsAsync(room);
        // Whether the admin's join made them a lasting member is not the point here.
        log.Where(e => e.ActorId == admin.UserId && !(e.Type == RoomEventTypes.MemberAdded && e.Member?.UserId == admin.UserId))
            .Select(e => e.Type).Should().Equal(
            RoomEventTypes.RoomUpdated, RoomEventTypes.MessagePosted, RoomEventTypes.MessagePosted, RoomEventTypes.MessageDeleted,
            RoomEventTypes.MemberUpdated, RoomEventTypes.MemberUpdated, RoomEventTypes.MemberUpdated,
            RoomEventTypes.MemberAdded, RoomEventTypes.MemberRemoved, RoomEventTypes.MemberUpdated, RoomEventTypes.MemberUpdated);
        (await alice.GetMembers(room, null, 10)).Single(m => m.UserId == alice.UserId).Role.Should().Be(MemberRoles.Owner, "the room stays alice's");

        // The same calls from someone who is not an administrator.
        await EveryCallOn(carol, room, (await alice.GetHistory(room, null, 1))[0], bob, alice).ShouldAllBeRejectedAsync(ChatErrorCodes.Forbidden, "carol is neither member nor admin");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NobodyLeavesKicksBansMutesOrGivesRolesInADirectRoom(ChatProtocol protocol)
    {
        await using var admin = await Server.ConnectWelcomedAsync(fixture.AdminName, protocol);
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var before = await alice.LastEventSequenceAsync(room);

        foreach (var caller in new[] { alice, admin })
        {
            await new (string, Func<Task>)[]
            {
                ("RemoveMember(bob)", () => caller.RemoveMember(room, bob.UserId)),
                ("BanMember(bob)", () => caller.BanMember(room, bob.UserId, null, null)),
                ("BanMember(carol)", () => caller.BanMember(room, carol.UserId, null, null)),
                ("MuteMember(bob)", () => caller.MuteMember(room, bob.UserId, DateTime.UtcNow.AddHours(1))),
                ("SetMemberRole(bob)", () => caller.SetMemberRole(room, bob.UserId, MemberRoles.Moderator)),
                ("SetMemberRole(alice)", () => caller.SetMemberRole(room, alice.UserId, MemberRoles.Owner)),
                ("AddMember(carol)", () => caller.AddMember(room, carol.UserId)),
            }.ShouldAllBeRejectedAsync(ChatErrorCodes.Forbidden, $"{caller.UserName}: a direct room is two equals, for good");
        }

        await Rejected(() => alice.RemoveMember(room, alice.UserId), ChatErrorCodes.Forbidden, "nobody leaves a direct room");
        await Rejected(() => bob.RemoveMember(room, bob.UserId), ChatErrorCodes.Forbidden);

        (await alice.LastEventSequenceAsync(room)).Should().Be(before);
        (await bob.GetMembers(room, null, 10)).Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo(
            [(alice.UserId, MemberRoles.Member), (bob.UserId, MemberRoles.Member)]);
        var still = await alice.SendMessage(room, "still talking");
        (await bob.Messages.WaitForAsync(m => m.Id == still.Id)).Content.Should().Be("still talking");
    }

    /// <summary>One server administrator (<c>Admin:UserIds</c>); the send rate is not what these tests specify.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public string AdminName { get; } = TestDefaults.UniqueUser("admin");

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Admin:UserIds:0"] = "guest:" + AdminName,
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
