using System.Text;
using Chat.Client;
using Chat.Shared;

namespace Chat.Tests.Client;

/// <summary>
/// The client's bookkeeping of this user's membership, without a server: member changes share a joined room's order
/// (a repeated removal is raised once), changes about this user in rooms not followed are raised once each, and the
/// client knows its user from the token it signs in with.
/// </summary>
public sealed class MembershipUnitTests
{
    private const string Room = "team";
    private const string Me = "guest:bob";
    private static readonly DateTime At = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void RemovalDeliveredByTheRoomAndAgainToTheUserIsRaisedOnceInTheRoomsOrder()
    {
        var log = new RoomLog(Room);
        log.Joined(new JoinResult(Room, [], [], 0, 4, 1), []);
        var delivered = new List<RoomEvent>();

        log.Offer([Removed(Me, 6)], delivered);
        delivered.Should().BeEmpty("change 5 comes first");
        log.Offer([Updated("guest:carol", 5), Removed(Me, 6)], delivered);

        delivered.Select(e => (e.EventSequence, e.Type)).Should().Equal((5L, RoomEventTypes.MemberUpdated), (6L, RoomEventTypes.MemberRemoved));
        log.Offer([Removed(Me, 6)], delivered);
        delivered.Should().HaveCount(2, "the second delivery of the removal is not newer");
    }

    [Fact]
    public void WaitingRemovalIsFoundWhenTheChangesBeforeItCanNoLongerBeRead()
    {
        var log = new RoomLog(Room);
        log.Joined(new JoinResult(Room, [], [], 0, 4, 1), []);
        log.Offer([Updated("guest:carol", 6), Removed(Me, 7)], []);

        log.FindWaiting(e => OutsideRooms.IsAbout(e, Me) && e.Type == RoomEventTypes.MemberRemoved)!.EventSequence.Should().Be(7);
        log.FindWaiting(e => e.Type == RoomEventTypes.MemberAdded).Should().BeNull();
    }

    [Fact]
    public void OnlyMemberChangesAboutTheUserConcernThemOutsideTheirRooms()
    {
        OutsideRooms.IsAbout(Added(Me, 1), Me).Should().BeTrue();
        OutsideRooms.IsAbout(Removed(Me, 1), Me).Should().BeTrue();
        OutsideRooms.IsAbout(Updated(Me, 1), Me).Should().BeTrue();
        OutsideRooms.IsAbout(Added("guest:carol", 1), Me).Should().BeFalse("another user's change");
        OutsideRooms.IsAbout(Added(Me, 1), null).Should().BeFalse("an unknown user is nobody's");
        var roomUpdate = new RoomEvent(Room, 1, RoomEventTypes.RoomUpdated, At, Me, "bob");
        OutsideRooms.IsAbout(roomUpdate, Me).Should().BeFalse("not a membership change");
    }

    [Fact]
    public void ChangesAboutTheUserOutsideTheirRoomsAreRaisedOnceAndStaleOnesNot()
    {
        var outside = new OutsideRooms();

        outside.Take(Added(Me, 3)).Should().BeTrue();
        outside.Take(Added(Me, 3)).Should().BeFalse("a repeat");
        outside.Take(Removed(Me, 5)).Should().BeTrue();
        outside.Take(Updated(Me, 4)).Should().BeFalse("overtaken by a newer change");
        outside.Take(Added(Me, 2) with { Room = "other" }).Should().BeTrue("each room counts on its own");
    }

    [Fact]
    public void DroppedRoomRaisesItsRemovalOnceWhetherItCameBeforeOrAfterTheDrop()
    {
        var outside = new OutsideRooms();

        // Dropped at the removal itself (delivered through the room's log): its second copy is not raised.
        outside.Dropped(Room, 9, removalReported: false);
        outside.Take(Removed(Me, 9)).Should().BeFalse();

        // Dropped before the removal arrived (the user left for good from this client): it is raised when it comes.
        outside.Dropped("other", 4, removalReported: false);
        outside.Take(Removed(Me, 6) with { Room = "other" }).Should().BeTrue();
    }

    [Fact]
    public void RemovalReportedFromARefusalIsNotReportedAgainUntilTheUserIsBackIn()
    {
        var outside = new OutsideRooms();
        outside.Dropped(Room, 4, removalReported: true);

        outside.Take(Removed(Me, 6)).Should().BeFalse("the refusal reported this removal already");
        outside.Take(Added(Me, 8)).Should().BeTrue();
        outside.Take(Removed(Me, 9)).Should().BeTrue("a removal after being added back is news");
    }

    [Fact]
    public void UserIsReadFromTheSubjectOfAJwtWithoutCheckingItsSignature()
    {
        var token = Jwt("""{"sub":"corp:ada","name":"Ada","exp":1900000000}""");

        AccessTokenSource.ReadSubject(token).Should().Be("corp:ada");
        AccessTokenSource.ReadSubject(Jwt("""{"name":"no subject"}""")).Should().BeNull();
        AccessTokenSource.ReadSubject(Jwt("""{"sub":42}""")).Should().BeNull("a subject must be a string");
        AccessTokenSource.ReadSubject("opaque-token").Should().BeNull();
        AccessTokenSource.ReadSubject("a.%%%.c").Should().BeNull();
        AccessTokenSource.ReadSubject("a." + Base64Url("not json") + ".c").Should().BeNull();
    }

    [Fact]
    public void RemovalSaysWhetherItWasABanOrTheUsersOwnLeave()
    {
        var kicked = new ChatRoomRemovedEventArgs(Room, Removed(Me, 5, actorId: "guest:alice"), null);
        var banned = new ChatRoomRemovedEventArgs(Room, Removed(Me, 5, actorId: "guest:alice", banned: true), null);
        var left = new ChatRoomRemovedEventArgs(Room, Removed(Me, 5, actorId: Me), null);
        var refusedBanned = new ChatRoomRemovedEventArgs(Room, null, ChatErrorCodes.Banned);
        var refused = new ChatRoomRemovedEventArgs(Room, null, ChatErrorCodes.Forbidden);

        new[] { kicked, banned, left, refusedBanned, refused }.Select(r => (r.IsBanned, r.IsOwnLeave))
            .Should().Equal((false, false), (true, false), (false, true), (true, false), (false, false));
    }

    private static string Jwt(string payload) => $"{Base64Url("""{"alg":"HS256","typ":"JWT"}""")}.{Base64Url(payload)}.c2lnbmF0dXJl";

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static RoomMember Member(string userId, bool banned = false) =>
        new(Room, userId, userId[(userId.IndexOf(':') + 1)..], MemberRoles.Member, At, null, banned);

    private static RoomEvent Added(string userId, long eventSequence) =>
        new(Room, eventSequence, RoomEventTypes.MemberAdded, At, "guest:alice", "alice", Member: Member(userId));

    private static RoomEvent Removed(string userId, long eventSequence, string actorId = "guest:alice", bool banned = false) =>
        new(Room, eventSequence, RoomEventTypes.MemberRemoved, At, actorId, "alice", Member: Member(userId, banned));

    private static RoomEvent Updated(string userId, long eventSequence) =>
        new(Room, eventSequence, RoomEventTypes.MemberUpdated, At, "guest:alice", "alice", Member: Member(userId));
}
