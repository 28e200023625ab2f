using Chat.Client;
using Chat.Shared;

namespace Chat.Tests.Client;

/// <summary>
/// The delivery rules of one room's change log, without a server: order by eventSequence, each change once, what to
/// fetch when something is missing, and the JoinResult race.
/// </summary>
public sealed class RoomLogUnitTests
{
    private const string Room = "lobby";
    private static readonly DateTime At = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ChangesThatFollowTheCursorAreDeliveredAtOnceInOrder()
    {
        var log = JoinedAt(2);

        Offer(log, Post("m3", 3), Edit("m3", 4), React("m3", 5)).Should().Equal(3, 4, 5);

        log.Delivered.Should().Be(5);
        log.HasGap.Should().BeFalse();
        log.NextFetch.Should().BeNull();
    }

    [Fact]
    public void ChangeAfterAJumpWaitsUntilTheHoleIsFetched()
    {
        var log = JoinedAt(2);

        Offer(log, React("m1", 5)).Should().BeEmpty();
        log.NextFetch.Should().Be(2, "everything after the last delivered change is fetched");

        var delivered = new List<RoomEvent>();
        log.ApplyPage(2, Page(5, Edit("m1", 3), Delete("m2", 4)), delivered).Should().BeNull();
        delivered.Select(e => e.EventSequence).Should().Equal(3, 4, 5);
        log.NextFetch.Should().BeNull();
    }

    [Fact]
    public void DuplicatesAreDroppedWhicheverSourceBringsThemFirst()
    {
        var log = JoinedAt(0);
        Offer(log, Post("m1", 1), Post("m2", 2)).Should().Equal(1, 2);

        Offer(log, Post("m2", 2), Post("m1", 1)).Should().BeEmpty("live repeats are dropped");
        var delivered = new List<RoomEvent>();
        log.ApplyPage(0, Page(3, Post("m1", 1), Post("m2", 2), Edit("m1", 3)), delivered);
        delivered.Select(e => e.EventSequence).Should().Equal(3);
    }

    [Fact]
    public void ChangesBeforeTheFirstJoinAnswersWaitAndThoseItCoversAreDropped()
    {
        var log = new RoomLog(Room);
        Offer(log, Post("m5", 5), Post("m6", 6)).Should().BeEmpty();
        log.HasGap.Should().BeFalse("nothing is fetched before the join says where the room stands");

        var delivered = new List<RoomEvent>();
        log.Joined(Join(5, Message("m5", 5)), delivered);

        delivered.Select(e => e.EventSequence).Should().Equal(6);
        log.Delivered.Should().Be(6);
    }

    [Fact]
    public void RecentMessagesNewerThanTheJoinsCursorAreNotRaisedAgain()
    {
        // The server read lastEventSequence (4), then m5 was posted and m3 edited (6), then it read the recent messages.
        var log = new RoomLog(Room);
        var delivered = new List<RoomEvent>();
        log.Joined(Join(4, Message("m3", 6, content: "edited"), Message("m5", 5)), delivered);

        delivered.Should().BeEmpty();
        log.NextFetch.Should().Be(4, "the recent messages show changes the cursor has not passed yet");
        Offer(log, Post("m5", 5), Edit("m3", 6), React("m3", 7)).Should().Equal([7], "the caller holds m5 and the edit already");
        Offer(log, Edit("m5", 8)).Should().Equal(8);
    }

    [Fact]
    public void ReJoinAfterAReconnectFetchesEverythingAfterTheCursor()
    {
        var log = JoinedAt(3);

        log.SawLast(10);

        log.NextFetch.Should().Be(3);
        var delivered = new List<RoomEvent>();
        log.ApplyPage(3, Page(10, Post("m4", 4), Edit("m4", 5)), delivered).Should().BeNull();
        delivered.Select(e => e.EventSequence).Should().Equal(4, 5);
        log.NextFetch.Should().Be(5, "a full page is followed by the next one");
    }

    [Fact]
    public void PageWithoutTheNextChangeSkipsTheHoleRatherThanHoldTheRoomBack()
    {
        var log = JoinedAt(1);
        Offer(log, React("m1", 6)).Should().BeEmpty();

        var delivered = new List<RoomEvent>();
        var skipped = log.ApplyPage(1, Page(6, React("m1", 4), React("m1", 5)), delivered);

        skipped.Should().Be((2L, 3L));
        delivered.Select(e => e.EventSequence).Should().Equal(4, 5, 6);
        log.HasGap.Should().BeFalse();
    }

    [Fact]
    public void EmptyPageBelowAKnownChangeSkipsToIt()
    {
        var log = JoinedAt(1);
        log.SawLast(3);

        var delivered = new List<RoomEvent>();
        log.ApplyPage(1, Page(1), delivered).Should().Be((2L, 3L));

        delivered.Should().BeEmpty();
        log.HasGap.Should().BeFalse();
    }

    [Fact]
    public void LivePostsAndOtherChangesShareOneOrder()
    {
        var log = JoinedAt(0);

        Offer(log, RoomLog.Posted(Message("m1", 1)), Edit("m1", 3)).Should().Equal(1);
        Offer(log, RoomLog.Posted(Message("m2", 2))).Should().Equal(2, 3);
    }

    [Fact]
    public void ReloadAfterAResetStartsOverFromTheNewJoin()
    {
        var log = JoinedAt(2);
        Offer(log, React("m1", 50), React("m1", 101)).Should().BeEmpty();

        var delivered = new List<RoomEvent>();
        log.Joined(Join(100), delivered);

        delivered.Select(e => e.EventSequence).Should().Equal([101], "changes the reload covers are gone, later ones follow it");
        log.Delivered.Should().Be(101);
        log.HasGap.Should().BeFalse();
    }

    [Fact]
    public void LivePostCarriesItsMessageAsThePostedChange()
    {
        var message = Message("m7", 7);

        var posted = RoomLog.Posted(message);

        posted.Should().BeEquivalentTo(new
        {
            Room, EventSequence = 7L, Type = RoomEventTypes.MessagePosted, ActorId = message.SenderId, MessageId = "m7", Message = message,
        });
    }

    private static RoomLog JoinedAt(long lastEventSequence)
    {
        var log = new RoomLog(Room);
        log.Joined(Join(lastEventSequence), []);
        return log;
    }

    private static long[] Offer(RoomLog log, params RoomEvent[] events)
    {
        var delivered = new List<RoomEvent>();
        log.Offer(events, delivered);
        return [.. delivered.Select(e => e.EventSequence)];
    }

    private static JoinResult Join(long lastEventSequence, params ChatMessage[] recent) =>
        new(Room, [], recent, recent.Length, lastEventSequence, 1);

    private static EventsPage Page(long lastEventSequence, params RoomEvent[] events) => new(Room, events, lastEventSequence, false);

    private static ChatMessage Message(string id, long eventSequence, string content = "hello") =>
        new(id, Room, 1, "guest:alice", "alice", content, At, null, eventSequence, null, null, null, [], [], []);

    private static RoomEvent Post(string id, long eventSequence) =>
        new(Room, eventSequence, RoomEventTypes.MessagePosted, At, "guest:alice", "alice", Message(id, eventSequence), id);

    private static RoomEvent Edit(string id, long eventSequence) =>
        new(Room, eventSequence, RoomEventTypes.MessageEdited, At, "guest:alice", "alice", Message(id, eventSequence, "edited"), id);

    private static RoomEvent Delete(string id, long eventSequence) =>
        new(Room, eventSequence, RoomEventTypes.MessageDeleted, At, "guest:alice", "alice", Message(id, eventSequence, ""), id);

    private static RoomEvent React(string id, long eventSequence) =>
        new(Room, eventSequence, RoomEventTypes.ReactionAdded, At, "guest:bob", "bob", Message(id, eventSequence), id, "👍");
}
