using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using static Chat.Tests.Conversations.Plans;

namespace Chat.Tests.Conversations;

/// <summary>Membership changes and room rules as the change pipeline plans them, on rows given here. No server.</summary>
public sealed class MembershipPlanTests
{
    private static readonly ChatUser Owner = new("guest:olga", "olga");
    private static readonly ChatUser Moderator = new("guest:mo", "mo");
    private static readonly ChatUser Alice = new("guest:alice", "alice");

    [Fact]
    public void AModeratorKicksAPlainMemberButNotAnOwner()
    {
        var state = Room("r", RoomKinds.Private, (Owner, MemberRoles.Owner), (Moderator, MemberRoles.Moderator), (Alice, MemberRoles.Member));

        var plan = Plan(state, Kick(Moderator, Alice), Kick(Moderator, Owner));
        Allocate(plan, "r");

        Codes(plan).Should().Equal(null, ChatErrorCodes.Forbidden);
        plan.MembersRemoved.Should().Equal(("r", Alice.Id));
        var removed = plan.OutcomeOf(0).Changes.Should().ContainSingle().Subject;
        removed.Type.Should().Be(RoomEventTypes.MemberRemoved);
        removed.Member!.UserId.Should().Be(Alice.Id);
        removed.EventSequence.Should().Be(1);
        state.RoomStates["r"].MemberCount.Should().Be(2);
    }

    [Fact]
    public void AMemberWhoseSignInWasNeverRecordedCanStillBeKickedAndBanned()
    {
        var state = Room("r", RoomKinds.Public, (Owner, MemberRoles.Owner), (Alice, MemberRoles.Member));
        state.Users[Alice.Id] = null;

        var plan = Plan(state, new MemberRequest("r", Owner, MemberChange.Ban, Alice.Id));
        Allocate(plan, "r");

        Codes(plan).Should().Equal([null]);
        plan.BansWritten.Should().ContainSingle().Which.UserName.Should().Be(Alice.Name);
        plan.MembersRemoved.Should().Equal(("r", Alice.Id));
    }

    [Fact]
    public void TheLastOwnerCanNeitherLeaveNorLoseTheRoleButCanOnceThereIsAnother()
    {
        var state = Room("r", RoomKinds.Private, (Owner, MemberRoles.Owner), (Alice, MemberRoles.Member));

        var plan = Plan(state,
            new MemberRequest("r", Owner, MemberChange.Remove, Owner.Id),
            new MemberRequest("r", Owner, MemberChange.Role, Owner.Id) { Role = MemberRoles.Member },
            new MemberRequest("r", Owner, MemberChange.Role, Alice.Id) { Role = MemberRoles.Owner },
            new MemberRequest("r", Owner, MemberChange.Remove, Owner.Id));
        Allocate(plan, "r");

        Codes(plan).Should().Equal(ChatErrorCodes.Forbidden, ChatErrorCodes.Forbidden, null, null);
        plan.Events.Select(e => e.Type).Should().Equal(RoomEventTypes.MemberUpdated, RoomEventTypes.MemberRemoved);
    }

    [Fact]
    public void ABanOfAMemberRemovesThemAndTheEventSaysItIsABan()
    {
        var state = Room("r", RoomKinds.Public, (Owner, MemberRoles.Owner), (Alice, MemberRoles.Member));
        var until = Now.AddHours(1);

        var plan = Plan(state, new MemberRequest("r", Owner, MemberChange.Ban, Alice.Id) { Until = until, Reason = "spam" });
        Allocate(plan, "r");

        var member = plan.OutcomeOf(0).Changes.Single().Member!;
        (member.Banned, member.BannedUntil, member.BanReason).Should().Be((true, until, "spam"));
        plan.BansWritten.Should().ContainSingle().Which.UserId.Should().Be(Alice.Id);
        plan.MembersRemoved.Should().Equal(("r", Alice.Id));
    }

    [Fact]
    public void SlowModeLetsAPlainMemberPostOncePerIntervalAndSaysHowLongToWait()
    {
        var state = Room("r", RoomKinds.Public, (Moderator, MemberRoles.Moderator), (Alice, MemberRoles.Member));
        state.RoomStates["r"].Record!.SlowModeSeconds = 30;
        state.RoomStates["r"].Members[Alice.Id]!.LastPostedAt = Now.AddSeconds(-10);

        var plan = Plan(state, Post(Alice), Post(Moderator), Post(Moderator));
        Allocate(plan, "r");

        Codes(plan).Should().Equal(ChatErrorCodes.SlowMode, null, null);
        plan.OutcomeOf(0).Error!.Message.Should().Contain("wait 20 s");
    }

    [Fact]
    public void APostIntoARoomWhoseAllocationShowsSlowModeOrAMuteIsPlannedAgainWithTheRules()
    {
        var plan = Plan(new BatchState(), Post(Alice));
        plan.Rooms["r"].MutedUntilTicks = Now.AddMinutes(1).Ticks;

        plan.NeedsRules().Should().BeTrue();

        var quiet = Plan(new BatchState(), Post(Alice));
        quiet.Rooms["r"].MutedUntilTicks = Now.AddMinutes(-1).Ticks;
        quiet.NeedsRules().Should().BeFalse("a mute that has ended binds nobody");
    }

    [Fact]
    public void MentionsInAPrivateRoomKeepOnlyItsMembers()
    {
        var optimistic = Plan(new BatchState(), new PostRequest("r", Alice, "hi", null, null, [Owner.Id, "guest:stranger"]));
        optimistic.Rooms["r"].Kind = RoomKinds.Private;
        optimistic.NeedsRules().Should().BeTrue("who may read the room is not known without its members");

        var state = Room("r", RoomKinds.Private, (Owner, MemberRoles.Owner), (Alice, MemberRoles.Member));
        state.RoomStates["r"].Members["guest:stranger"] = null;
        var plan = Plan(state, new PostRequest("r", Alice, "hi", null, null, [Owner.Id, "guest:stranger"]));
        Allocate(plan, "r");

        MessageMapper.ReadMentions(plan.NewMessages.Single().Mentions).Should().Equal(Owner.Id);
    }

    [Fact]
    public void AMuteIsRecordedOnTheRoomSoThatPostingThereChecksIt()
    {
        var state = Room("r", RoomKinds.Public, (Owner, MemberRoles.Owner), (Alice, MemberRoles.Member));

        var plan = Plan(state, new MemberRequest("r", Owner, MemberChange.Mute, Alice.Id) { Until = Now.AddMinutes(5) }, Post(Alice));
        Allocate(plan, "r");

        Codes(plan).Should().Equal(null, ChatErrorCodes.Muted);
        plan.RoomsUpdated.Should().ContainSingle().Which.MutedUntilTicks.Should().Be(Now.AddMinutes(5).Ticks);
    }

    [Fact]
    public void OpeningAnExistingDirectRoomChangesNothing()
    {
        var state = Room("dm-1", RoomKinds.Direct, (Owner, MemberRoles.Member), (Alice, MemberRoles.Member));

        var plan = Plan(state, new DirectRoomRequest("dm-1", Alice, Owner.Id));
        Allocate(plan, "dm-1");

        plan.Rooms.Should().BeEmpty();
        plan.InfoOf("dm-1").Members!.Select(m => m.UserId).Should().Equal(Alice.Id, Owner.Id);
    }

    [Fact]
    public void CreatingARoomMakesTheCallerOwnerAndAddsTheKnownMembers()
    {
        var state = new BatchState { RulesLoaded = true };
        state.RoomStates["team"] = new RoomState(null);
        state.Users[Alice.Id] = new UserRecord { Id = Alice.Id, Name = Alice.Name };
        state.Users["guest:nobody"] = null;

        var plan = Plan(state,
            new NewRoomRequest("team", Owner, RoomKinds.Private, "Team", null, [Alice.Id]),
            new NewRoomRequest("team", Alice, RoomKinds.Public, null, null, []));
        Allocate(plan, "team");

        Codes(plan).Should().Equal(null, ChatErrorCodes.RoomExists);
        plan.RoomsCreated.Should().ContainSingle().Which.Kind.Should().Be(RoomKinds.Private);
        plan.Events.Select(e => (e.Type, e.EventSequence)).Should().Equal((RoomEventTypes.MemberAdded, 1L), (RoomEventTypes.MemberAdded, 2L));
        plan.InfoOf("team").Should().BeEquivalentTo(new { Room = "team", Kind = RoomKinds.Private, Title = "Team", MemberCount = 2, LastEventSequence = 2L });
    }

    private static MemberRequest Kick(ChatUser actor, ChatUser target) => new("r", actor, MemberChange.Remove, target.Id);

    private static PostRequest Post(ChatUser sender) => new("r", sender, "hello", null, null, []);
}
