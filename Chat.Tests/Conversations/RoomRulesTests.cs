using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Shared;

namespace Chat.Tests.Conversations;

/// <summary>Who may do what in a room: the pure rules behind the room policy and the change pipeline. No server.</summary>
public sealed class RoomRulesTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(RoomAction.Read)]
    [InlineData(RoomAction.Join)]
    [InlineData(RoomAction.Change)]
    [InlineData(RoomAction.Type)]
    public void AnyoneMayUseAPublicRoomOrOneThatDoesNotExistYet(RoomAction action)
    {
        RoomRules.Check(new RoomFacts(RoomKinds.Public, null, null, IsAdmin: false), action, Now).Should().BeNull();
        RoomRules.Check(new RoomFacts(null, null, null, IsAdmin: false), action, Now).Should().BeNull();
    }

    [Theory]
    [InlineData(RoomKinds.Private, RoomAction.Read)]
    [InlineData(RoomKinds.Private, RoomAction.Join)]
    [InlineData(RoomKinds.Direct, RoomAction.Read)]
    [InlineData(RoomKinds.Direct, RoomAction.Type)]
    public void NonMembersAreRefusedEverythingInPrivateAndDirectRooms(string kind, RoomAction action) =>
        RoomRules.Check(new RoomFacts(kind, null, null, IsAdmin: false), action, Now)!.Code.Should().Be(ChatErrorCodes.Forbidden);

    [Fact]
    public void ABanRefusesEveryCallUntilItEnds()
    {
        var ban = new BanRecord { Room = "r", UserId = "u", UserName = "u", Until = Now.AddMinutes(1) };

        RoomRules.Check(new RoomFacts(RoomKinds.Public, null, ban, IsAdmin: false), RoomAction.Read, Now)!.Code.Should().Be(ChatErrorCodes.Banned);
        RoomRules.Check(new RoomFacts(RoomKinds.Public, null, ban, IsAdmin: false), RoomAction.Read, Now.AddMinutes(2)).Should().BeNull();
    }

    [Fact]
    public void AMuteStopsChangesAndTypingButNotReading()
    {
        var muted = Member(MemberRoles.Member, mutedUntil: Now.AddSeconds(30));
        var facts = new RoomFacts(RoomKinds.Public, muted, null, IsAdmin: false);

        RoomRules.Check(facts, RoomAction.Change, Now)!.Code.Should().Be(ChatErrorCodes.Muted);
        RoomRules.Check(facts, RoomAction.Type, Now)!.Code.Should().Be(ChatErrorCodes.Muted);
        RoomRules.Check(facts, RoomAction.Read, Now).Should().BeNull();
        RoomRules.Check(facts, RoomAction.Change, Now.AddMinutes(1)).Should().BeNull("the mute has ended");
    }

    [Theory]
    [InlineData(MemberRoles.Owner, RoomAction.ManageRoles, null)]
    [InlineData(MemberRoles.Moderator, RoomAction.ManageRoles, ChatErrorCodes.Forbidden)]
    [InlineData(MemberRoles.Moderator, RoomAction.Moderate, null)]
    [InlineData(MemberRoles.Moderator, RoomAction.AddMembers, null)]
    [InlineData(MemberRoles.Member, RoomAction.Moderate, ChatErrorCodes.Forbidden)]
    [InlineData(MemberRoles.Member, RoomAction.AddMembers, ChatErrorCodes.Forbidden)]
    public void RolesGrantModerationStepByStep(string role, RoomAction action, string? code) =>
        RoomRules.Check(new RoomFacts(RoomKinds.Private, Member(role), null, IsAdmin: false), action, Now)?.Code.Should().Be(code);

    [Fact]
    public void AdministratorsActAsOwnersEverywhereExceptThatDirectRoomsHaveNoModeration()
    {
        var banned = new BanRecord { Room = "r", UserId = "root", UserName = "root" };

        RoomRules.Check(new RoomFacts(RoomKinds.Private, null, banned, IsAdmin: true), RoomAction.ManageRoles, Now).Should().BeNull();
        RoomRules.Check(new RoomFacts(RoomKinds.Direct, null, null, IsAdmin: true), RoomAction.Read, Now).Should().BeNull();
        RoomRules.Check(new RoomFacts(RoomKinds.Direct, null, null, IsAdmin: true), RoomAction.Moderate, Now)!.Code.Should().Be(ChatErrorCodes.Forbidden);
    }

    [Theory]
    [InlineData(MemberRoles.Owner, MemberRoles.Owner, true)]
    [InlineData(MemberRoles.Owner, MemberRoles.Moderator, true)]
    [InlineData(MemberRoles.Moderator, MemberRoles.Member, true)]
    [InlineData(MemberRoles.Moderator, MemberRoles.Moderator, false)]
    [InlineData(MemberRoles.Moderator, MemberRoles.Owner, false)]
    [InlineData(MemberRoles.Member, MemberRoles.Member, false)]
    public void ModeratorsActOnPlainMembersOnly(string actor, string target, bool allowed) =>
        RoomRules.Outranks(actor, target).Should().Be(allowed);

    [Fact]
    public void ADirectRoomIsNamedByThePairWhoeverOpensIt()
    {
        var name = DirectRooms.NameFor("guest:alice", "guest:bob");

        DirectRooms.NameFor("guest:bob", "guest:alice").Should().Be(name);
        DirectRooms.NameFor("guest:alice", "guest:carol").Should().NotBe(name);
        ChatRules.IsValidRoomName(name).Should().BeTrue();
        name.Should().StartWith(ChatLimits.DirectRoomPrefix);
    }

    [Fact]
    public void OnlyMembersOfADirectRoomMayCallInIt()
    {
        RoomRules.Check(new RoomFacts(RoomKinds.Direct, Member(MemberRoles.Member), null, IsAdmin: false), RoomAction.Call, Now).Should().BeNull();
        RoomRules.Check(new RoomFacts(RoomKinds.Direct, null, null, IsAdmin: true), RoomAction.Call, Now)!.Code.Should().Be(ChatErrorCodes.Forbidden);
        RoomRules.Check(new RoomFacts(RoomKinds.Public, Member(MemberRoles.Owner), null, IsAdmin: false), RoomAction.Call, Now)!.Code.Should().Be(ChatErrorCodes.Forbidden);
        RoomRules.Check(new RoomFacts(RoomKinds.Private, Member(MemberRoles.Owner), null, IsAdmin: true), RoomAction.Call, Now)!.Code.Should().Be(ChatErrorCodes.Forbidden);
        RoomRules.Check(new RoomFacts(null, null, null, IsAdmin: false), RoomAction.Call, Now)!.Code.Should().Be(ChatErrorCodes.Forbidden);
    }

    private static MemberRecord Member(string role, DateTime? mutedUntil = null) =>
        new() { Room = "r", UserId = "u", UserName = "u", Role = role, JoinedAt = Now.AddDays(-1), MutedUntil = mutedUntil };
}
