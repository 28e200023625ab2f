using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.History;

/// <summary>Membership lasts (contract v2, section 3): rooms, roles, bans, mutes and every user's list of rooms survive a restart.</summary>
public sealed class ConversationRestartTests
{
    private static readonly Dictionary<string, string?> Volume = new()
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MyRoomsMembersRolesBansAndMutesSurviveARestart(ChatProtocol protocol)
    {
        using var directory = new TempDirectory();
        var signingKey = TestDefaults.NewSigningKey();
        var (aliceName, bobName, carolName, daveName) =
            (TestDefaults.UniqueUser("alice"), TestDefaults.UniqueUser("bob"), TestDefaults.UniqueUser("carol"), TestDefaults.UniqueUser("dave"));
        var team = TestDefaults.UniqueRoom("team");
        var lobby = TestDefaults.UniqueRoom("lobby");
        string direct;
        MyRoom[] aliceBefore, bobBefore, carolBefore;
        RoomMember[] teamBefore, lobbyBefore;
        List<RoomEvent> teamLogBefore;

        await using (var first = await ChatServer.StartAsync(directory.Path, Volume, signingKey: signingKey))
        {
            await using var alice = await first.ConnectWelcomedAsync(aliceName, protocol);
            await using var bob = await first.ConnectWelcomedAsync(bobName, protocol);
            await using var carol = await first.ConnectWelcomedAsync(carolName, protocol);
            await using var dave = await first.ConnectWelcomedAsync(daveName, protocol);

            await alice.CreateRoom(new CreateRoomRequest(team, RoomKinds.Private, "Team", "Plans", [bob.UserId]));
            await alice.SetMemberRole(team, bob.UserId, MemberRoles.Moderator);
            await alice.UpdateRoom(team, new UpdateRoomRequest(SlowModeSeconds: 30));
            await alice.JoinRoom(team);
            await alice.SendMessage(team, "team news");
            await bob.JoinRoom(lobby);
            await carol.JoinRoom(lobby);
            await alice.JoinRoom(lobby);
            await bob.BanMember(lobby, dave.UserId, null, "troll");
            await bob.MuteMember(lobby, carol.UserId, DateTime.UtcNow.AddHours(1));
            await alice.SendMessage(lobby, "hello lobby");
            direct = (await alice.OpenDirect(carol.UserId)).Room;
            await carol.JoinRoom(direct);
            await carol.SendMessage(direct, "psst");

            aliceBefore = await alice.ListMyRooms();
            bobBefore = await bob.ListMyRooms();
            carolBefore = await carol.ListMyRooms();
            teamBefore = await alice.GetMembers(team, null, 10);
            lobbyBefore = await alice.GetMembers(lobby, null, 10);
            teamLogBefore = await alice.ReadAllEventsAsync(team);
        }

        await using var second = await ChatServer.StartAsync(directory.Path, Volume, signingKey: signingKey);
        await using var aliceAgain = await second.ConnectWelcomedAsync(aliceName, protocol);
        await using var bobAgain = await second.ConnectWelcomedAsync(bobName, protocol);
        await using var carolAgain = await second.ConnectWelcomedAsync(carolName, protocol);
        await using var daveAgain = await second.ConnectWelcomedAsync(daveName, protocol);

        aliceBefore.Select(r => r.Room.Room).Should().Equal(direct, lobby, team);
        (await aliceAgain.ListMyRooms()).Should().BeEquivalentTo(aliceBefore, ByMembers, "alice's list is the same after the restart");
        (await bobAgain.ListMyRooms()).Should().BeEquivalentTo(bobBefore, ByMembers);
        (await carolAgain.ListMyRooms()).Should().BeEquivalentTo(carolBefore, ByMembers);
        (await bobAgain.GetMembers(team, null, 10)).Should().BeEquivalentTo(teamBefore, ByMembers);
        (await bobAgain.GetMembers(lobby, null, 10)).Should().BeEquivalentTo(lobbyBefore, ByMembers);
        lobbyBefore.Single(m => m.UserId == carolAgain.UserId).MutedUntil.Should().BeAfter(DateTime.UtcNow, "carol was muted for an hour");
        (await aliceAgain.ReadAllEventsAsync(team)).Should().BeEquivalentTo(teamLogBefore, ByMembers);
        (await aliceAgain.OpenDirect(carolAgain.UserId)).Room.Should().Be(direct, "the conversation is found again, not made anew");

        await Rejected(() => daveAgain.JoinRoom(lobby), ChatErrorCodes.Banned, "the ban outlasts the restart");
        await Rejected(() => carolAgain.JoinRoom(team), ChatErrorCodes.Forbidden, "the team room is still private");
        await carolAgain.JoinRoom(lobby);
        await Rejected(() => carolAgain.SendMessage(lobby, "can I speak now?"), ChatErrorCodes.Muted, "the mute outlasts the restart");
        await bobAgain.JoinRoom(team);
        await bobAgain.SendMessage(team, "a moderator is exempt from slow mode");
        await bobAgain.SendMessage(team, "still exempt: the role outlasted the restart");
    }
}
