using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.History;

/// <summary>
/// A room's member count, and the owner count that keeps a room from losing its last owner, are kept by the store with
/// the room (not counted row by row on each read): every way in and out of a room moves them, on each store.
/// </summary>
public abstract class MemberCountTests
{
    protected abstract ChatServer Server { get; }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EveryWayInAndOutOfAPublicRoomMovesItsCount(ChatProtocol protocol)
    {
        var lobby = TestDefaults.UniqueRoom("lobby");
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await using var erin = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("erin"), protocol);

        await bob.JoinRoom(lobby);
        (await MemberCountAsync(bob, lobby)).Should().Be(1, "the join that creates the room makes its owner");
        await carol.JoinRoom(lobby);
        await dave.JoinRoom(lobby);
        await dave.JoinRoom(lobby);
        (await MemberCountAsync(bob, lobby)).Should().Be(3, "joining twice is one member");

        await bob.BanMember(lobby, dave.UserId);
        (await MemberCountAsync(bob, lobby)).Should().Be(2, "a ban removes the member");
        await bob.RemoveMember(lobby, carol.UserId);
        (await MemberCountAsync(bob, lobby)).Should().Be(1, "a kick removes the member");
        await bob.AddMember(lobby, erin.UserId);
        await carol.JoinRoom(lobby);
        (await MemberCountAsync(bob, lobby)).Should().Be(3, "an added member and one who came back");
        await carol.RemoveMember(lobby, carol.UserId);
        (await MemberCountAsync(bob, lobby)).Should().Be(2, "leaving for good removes the member");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ARoomKeepsItsLastOwnerWhateverRolesChange(ChatProtocol protocol)
    {
        var team = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);

        (await alice.CreatePrivateRoomAsync(team, bob)).MemberCount.Should().Be(2);
        await Rejected(() => alice.RemoveMember(team, alice.UserId), ChatErrorCodes.Forbidden, "alice is the only owner");

        await alice.SetMemberRole(team, bob.UserId, MemberRoles.Owner);
        await alice.AddMember(team, carol.UserId);
        await alice.RemoveMember(team, alice.UserId);
        (await MemberCountAsync(bob, team)).Should().Be(2, "alice left once bob was an owner too");
        await Rejected(() => bob.SetMemberRole(team, bob.UserId, MemberRoles.Member), ChatErrorCodes.Forbidden, "bob is the only owner now");

        await bob.SetMemberRole(team, carol.UserId, MemberRoles.Moderator);
        await bob.SetMemberRole(team, carol.UserId, MemberRoles.Owner);
        await bob.SetMemberRole(team, bob.UserId, MemberRoles.Member);
        await Rejected(() => carol.SetMemberRole(team, carol.UserId, MemberRoles.Member), ChatErrorCodes.Forbidden, "carol is the only owner now");
        (await MemberCountAsync(carol, team)).Should().Be(2, "role changes are not joins or departures");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ADirectRoomCountsItsTwoPeople(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);

        var direct = await alice.OpenDirect(bob.UserId);

        direct.MemberCount.Should().Be(2);
        (await MemberCountAsync(bob, direct.Room)).Should().Be(2);
        (await alice.OpenDirect(bob.UserId)).MemberCount.Should().Be(2, "opened again, it is the same two people");
    }

    private static async Task<int> MemberCountAsync(TestClient member, string room) =>
        (await member.ListMyRooms()).Should().ContainSingle(r => r.Room.Room == room).Subject.Room.MemberCount;
}

public sealed class SqliteMemberCountTests(ChatServerFixture fixture) : MemberCountTests, IClassFixture<ChatServerFixture>
{
    protected override ChatServer Server => fixture.Server;
}

public sealed class PostgresMemberCountTests(PostgresChatServerFixture fixture) : MemberCountTests, IClassFixture<PostgresChatServerFixture>
{
    protected override ChatServer Server => fixture.Server;
}
