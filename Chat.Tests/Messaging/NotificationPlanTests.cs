using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using static Chat.Tests.Conversations.Plans;

namespace Chat.Tests.Messaging;

/// <summary>Whom a change notifies and where its sender's read pointer goes, as the change pipeline plans it. No server.</summary>
public sealed class NotificationPlanTests
{
    private static readonly ChatUser Alice = new("guest:alice", "alice");
    private static readonly ChatUser Bob = new("guest:bob", "bob");
    private static readonly ChatUser Carol = new("guest:carol", "carol");

    [Fact]
    public void APostNotifiesEachPersonOnceAsTheFirstOfMentionReplyAndDirect()
    {
        var state = Room("r", RoomKinds.Direct, (Alice, MemberRoles.Member), (Bob, MemberRoles.Member));
        var bobsMessage = Stored(state, "r", 1, Bob);

        var plan = Plan(state,
            new PostRequest("r", Alice, "plain", null, null, []),
            new PostRequest("r", Alice, "a reply that mentions", null, bobsMessage.Id, [Bob.Id]),
            new PostRequest("r", Alice, "a reply", null, bobsMessage.Id, []));
        Allocate(plan, "r");

        plan.Notifications.Select(n => (n.UserId, n.Kind, n.Preview)).Should().Equal(
            (Bob.Id, NotificationKinds.Direct, "plain"),
            (Bob.Id, NotificationKinds.Mention, "a reply that mentions"),
            (Bob.Id, NotificationKinds.Reply, "a reply"));
        plan.Notifications.Select(n => n.MessageSequence).Should().Equal(2L, 3L, 4L);
        plan.OutcomeOf(1).Changes.Single().Notifications.Should().ContainSingle().Which.Kind.Should().Be(NotificationKinds.Mention);
    }

    [Fact]
    public void NobodyIsNotifiedOfTheirOwnPostNorOfAPrivateRoomTheyLeft()
    {
        var state = Room("r", RoomKinds.Private, (Alice, MemberRoles.Owner), (Bob, MemberRoles.Member));
        var carolsOldMessage = Stored(state, "r", 1, Carol);
        var alicesMessage = Stored(state, "r", 2, Alice);

        var plan = Plan(state,
            new PostRequest("r", Alice, "to myself", null, alicesMessage.Id, [Alice.Id]),
            new PostRequest("r", Bob, "to a former member", null, carolsOldMessage.Id, [Carol.Id]));
        Allocate(plan, "r");

        plan.Notifications.Should().BeEmpty();
    }

    [Fact]
    public void SomeoneBannedFromAPublicRoomIsNotNotifiedOfItsMentionsAndRepliesUntilTheBanEnds()
    {
        var state = Room("r", RoomKinds.Public, (Alice, MemberRoles.Owner));
        var bobsMessage = Stored(state, "r", 1, Bob);
        var carolsMessage = Stored(state, "r", 2, Carol);
        state.NamedBans[("r", Bob.Id)] = new BanRecord { Room = "r", UserId = Bob.Id, UserName = Bob.Name, BannedAt = Now.AddHours(-1) };
        state.NamedBans[("r", Carol.Id)] = new BanRecord { Room = "r", UserId = Carol.Id, UserName = Carol.Name, Until = Now.AddMinutes(-1) };

        var plan = Plan(state,
            new PostRequest("r", Alice, "bob, look", null, null, [Bob.Id]),
            new PostRequest("r", Alice, "an answer to bob", null, bobsMessage.Id, []),
            new PostRequest("r", Alice, "an answer to carol, whose ban is over", null, carolsMessage.Id, [Carol.Id]));
        Allocate(plan, "r");

        plan.Notifications.Select(n => (n.UserId, n.Kind)).Should().Equal([(Carol.Id, NotificationKinds.Mention)],
            "a banned user may not read the room, so nothing of it reaches them: not even a preview");
        plan.NewMessages.Single(m => m.Content == "bob, look").Mentions.Should().Contain(Bob.Id, "the message still says whom it names");
    }

    [Fact]
    public void AddingSomeoneNotifiesThemWithTheRoomsTitle()
    {
        var state = Room("r", RoomKinds.Private, (Alice, MemberRoles.Owner));
        state.RoomStates["r"].Record!.Title = "Launch plans";
        state.Users[Bob.Id] = new UserRecord { Id = Bob.Id, Name = Bob.Name };
        state.RoomStates["r"].Members[Bob.Id] = null;
        state.RoomStates["r"].Bans[Bob.Id] = null;

        var plan = Plan(state, new MemberRequest("r", Alice, MemberChange.Add, Bob.Id));
        Allocate(plan, "r");

        plan.Notifications.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            UserId = Bob.Id, Kind = NotificationKinds.Added, Room = "r", MessageId = (string?)null, FromUserId = Alice.Id, Preview = "Launch plans",
        });
    }

    [Fact]
    public void APostMovesItsSendersReadPointerToTheirLastPostAndANewMemberStartsAtTheRoomsEnd()
    {
        var state = Room("r", RoomKinds.Private, (Alice, MemberRoles.Owner));
        state.RoomStates["r"].Record!.LastSequence = 40;
        state.Users[Bob.Id] = new UserRecord { Id = Bob.Id, Name = Bob.Name };
        state.RoomStates["r"].Members[Bob.Id] = null;
        state.RoomStates["r"].Bans[Bob.Id] = null;

        var plan = Plan(state,
            new PostRequest("r", Alice, "one", null, null, []),
            new PostRequest("r", Alice, "two", null, null, []),
            new MemberRequest("r", Alice, MemberChange.Add, Bob.Id));
        Allocate(plan, "r");

        plan.ReadPointers.Should().Equal(new Dictionary<(string, string), long> { [("r", Alice.Id)] = 42 });
        plan.MembersWritten.Should().ContainSingle(m => m.UserId == Bob.Id).Which.LastReadSequence.Should().Be(40);
    }

    private static MessageRecord Stored(BatchState state, string room, long sequence, ChatUser sender)
    {
        var record = state.RoomStates[room].Record!;
        record.LastSequence = Math.Max(record.LastSequence, sequence);
        return state.Add(new MessageRecord
        {
            Room = room,
            Sequence = sequence,
            Id = Guid.CreateVersion7().ToString("N"),
            SenderId = sender.Id,
            SenderName = sender.Name,
            Content = $"message {sequence}",
            SentAt = Now.AddMinutes(-sequence),
        });
    }
}
