using System.Diagnostics;
using System.Globalization;
using Chat.Server.Rooms;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Hub;

/// <summary>
/// Big rooms (contract v2, section 8): a join answers at most a hundred users, the caller first, and counts them all;
/// GetPresence is bounded the same way; GetMembers pages every lasting member. Past the large-room threshold,
/// members hear counts (RoomActivity) at most once a second instead of every join, leave, presence change and typist.
/// </summary>
internal static class BigRooms
{
    public const int Others = ChatLimits.MaxPresenceListed + 5;

    /// <summary>Connects <see cref="Others"/> users spread over <paramref name="servers"/>, each joined to the room.</summary>
    public static async Task<List<TestClient>> FillAsync(string room, params ChatServer[] servers)
    {
        var clients = new List<TestClient>(Others);
        foreach (var batch in Enumerable.Range(0, Others).Chunk(15))
        {
            var connected = await Task.WhenAll(batch.Select(async i =>
            {
                var client = await servers[i % servers.Length].ConnectAsync(TestDefaults.UniqueUser("crowd"), ChatProtocol.MessagePack);
                await client.JoinRoom(room);
                return client;
            }));
            clients.AddRange(connected);
        }

        return clients;
    }

    public static async Task AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAllAsync(ChatServer crowdOn, ChatServer callerOn)
    {
        var room = TestDefaults.UniqueRoom("town-hall");
        var crowd = await FillAsync(room, crowdOn, callerOn);
        try
        {
            await using var caller = await callerOn.ConnectAsync(TestDefaults.UniqueUser("late"));

            var joined = await caller.JoinRoom(room);

            joined.MemberCount.Should().Be(Others + 1, "the count covers everyone in the room");
            joined.Members.Should().HaveCount(ChatLimits.MaxPresenceListed);
            joined.Members[0].UserId.Should().Be(caller.UserId, "the caller comes first");
            joined.Members.Select(m => m.UserId).Should().OnlyHaveUniqueItems();
            joined.Members.Skip(1).Select(m => m.UserId).Should().BeSubsetOf(crowd.Select(c => c.UserId));
            var presence = await caller.GetPresence(room);
            presence.Should().HaveCount(ChatLimits.MaxPresenceListed);
            presence.Select(p => p.UserId).Should().OnlyHaveUniqueItems();

            var lasting = new List<RoomMember>();
            string? after = null;
            RoomMember[] page;
            do
            {
                page = await caller.GetMembers(room, after, 40);
                lasting.AddRange(page);
                after = page.LastOrDefault()?.UserId;
            }
            while (page.Length == 40);

            lasting.Select(m => m.UserId).Should().BeEquivalentTo(crowd.Select(c => c.UserId).Append(caller.UserId), "GetMembers pages every lasting member");
        }
        finally
        {
            foreach (var client in crowd)
            {
                await client.DisposeAsync();
            }
        }
    }
}

public sealed class BigRoomTests(LargeRoomServerFixture fixture) : IClassFixture<LargeRoomServerFixture>
{
    [Fact]
    public Task AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAll() =>
        BigRooms.AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAllAsync(fixture.Server, fixture.Server);

    [Fact]
    public Task ALargeRoomTellsCountsAtMostOnceASecondInsteadOfEachJoinLeavePresenceAndTypist() =>
        LargeRoomMode.TellsCountsInsteadOfPerUserEventsAsync(fixture.Server, [fixture.Server]);
}

/// <summary>The same on a cluster, where presence lives in Redis and the crowd is on both nodes.</summary>
public sealed class BigRoomClusterTests(LargeRoomClusterFixture cluster) : IClassFixture<LargeRoomClusterFixture>
{
    [Fact]
    public Task AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAll() =>
        BigRooms.AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAllAsync(cluster.Nodes[0], cluster.Nodes[1]);

    [Fact]
    public Task ALargeRoomTellsCountsAtMostOnceASecondInsteadOfEachJoinLeavePresenceAndTypist() =>
        LargeRoomMode.TellsCountsInsteadOfPerUserEventsAsync(cluster.Nodes[0], [.. cluster.Nodes]);
}

/// <summary>A server whose rooms are large from <see cref="LargeRoomMode.Threshold"/> users online.</summary>
public sealed class LargeRoomServerFixture : ChatServerFixture
{
    protected override IDictionary<string, string?> Settings => LargeRoomMode.Settings;
}

public sealed class LargeRoomClusterFixture : InProcessClusterFixture
{
    protected override Task<IDictionary<string, string?>> SettingsAsync() => Task.FromResult<IDictionary<string, string?>>(LargeRoomMode.Settings);
}

internal static class LargeRoomMode
{
    // Far above BigRooms.Others: the hundred-member tests stay in small-room mode.
    public const int Threshold = 10;

    public static Dictionary<string, string?> Settings => new() { ["Rooms:LargeRoomThreshold"] = Threshold.ToString(CultureInfo.InvariantCulture) };

    public static async Task TellsCountsInsteadOfPerUserEventsAsync(ChatServer observerOn, ChatServer[] crowdOn)
    {
        var room = TestDefaults.UniqueRoom("stream");
        await using var observer = await observerOn.ConnectAsync(TestDefaults.UniqueUser("watcher"));
        var heard = new List<(TimeSpan At, RoomActivity Activity)>();
        var clock = Stopwatch.StartNew();
        observer.Connection.On<RoomActivity>(nameof(IChatClient.RoomActivity), activity =>
        {
            lock (heard)
            {
                heard.Add((clock.Elapsed, activity));
            }
        });
        await observer.JoinRoom(room);
        var crowd = new List<TestClient>();
        try
        {
            // The observer and Threshold - 1 others make the room large.
            for (var i = 0; crowd.Count < Threshold - 1; i++)
            {
                var member = await crowdOn[i % crowdOn.Length].ConnectAsync(TestDefaults.UniqueUser("fan"));
                await member.JoinRoom(room);
                crowd.Add(member);
            }

            await observer.Activity.WaitForAsync(a => a.Room == room && a.MemberCount == Threshold);
            var perUserBefore = PerUserEvents(observer, room);

            var typist = crowd[^1];
            await typist.SetTyping(room, true);
            await observer.Activity.WaitForAsync(a => a.Room == room && a.MemberCount == Threshold && a.TypingCount == 1);
            var latecomers = new List<TestClient>();
            for (var i = 0; i < 3; i++)
            {
                var late = await crowdOn[i % crowdOn.Length].ConnectAsync(TestDefaults.UniqueUser("late"));
                await late.JoinRoom(room);
                latecomers.Add(late);
            }

            crowd.AddRange(latecomers);
            await observer.Activity.WaitForAsync(a => a.Room == room && a.MemberCount == Threshold + 3 && a.TypingCount == 1);
            await typist.SetTyping(room, false);
            await observer.Activity.WaitForAsync(a => a.Room == room && a.MemberCount == Threshold + 3 && a.TypingCount == 0);

            // Down to Threshold - 2: below nine tenths of the threshold, the room is small again. Closing a connection
            // (offline) is as silent as leaving. A newcomer is then announced again.
            for (var left = 0; left < 5; left++)
            {
                var leaving = crowd[0];
                crowd.RemoveAt(0);
                if (left % 2 == 0)
                {
                    await leaving.LeaveRoom(room);
                }

                await leaving.DisposeAsync();
            }

            await observer.Activity.WaitForAsync(a => a.Room == room && a.MemberCount == Threshold - 2);
            PerUserEvents(observer, room).Should().Be(perUserBefore, "a large room's members hear no joins, leaves, presence changes or typists");

            var newcomer = await observerOn.ConnectAsync(TestDefaults.UniqueUser("new"));
            crowd.Add(newcomer);
            await newcomer.JoinRoom(room);
            await observer.Joined.WaitForAsync(e => e.Room == room && e.UserId == newcomer.UserId);

            // Every report heard was sent after the clock started and before now, a second at least after the one
            // before it: so at most one per whole second elapsed, plus the first. Counted, not timed gap by gap, since a
            // loaded machine can deliver two reports sent a second apart within milliseconds of each other.
            var elapsed = clock.Elapsed;
            lock (heard)
            {
                heard.Count(h => h.Activity.Room == room).Should().BeLessThanOrEqualTo(
                    (int)elapsed.TotalSeconds + 1, "a room's counts come at most once a second ({0} elapsed)", elapsed);
            }
        }
        finally
        {
            foreach (var member in crowd)
            {
                await member.DisposeAsync();
            }
        }
    }

    private static int PerUserEvents(TestClient client, string room) =>
        client.Joined.Items.Count(e => e.Room == room) + client.Left.Items.Count(e => e.Room == room) +
        client.Typing.Items.Count(e => e.Room == room) + client.Presence.Items.Count;
}

public sealed class LargeRoomsUnitTests
{
    [Theory]
    [InlineData(false, 999, false)]
    [InlineData(false, 1000, true)]
    [InlineData(true, 1000, true)]
    [InlineData(true, 900, true)]
    [InlineData(true, 899, false)]
    [InlineData(false, 950, false)]
    public void ARoomIsLargeFromTheThresholdAndSmallAgainOnlyBelowNineTenthsOfIt(bool wasLarge, int online, bool large) =>
        LargeRooms.StaysLarge(wasLarge, online, threshold: 1000).Should().Be(large);
}
