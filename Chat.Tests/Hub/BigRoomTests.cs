using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// Big rooms (contract v2, section 8): a join answers at most a hundred users, the caller first, and counts them all;
/// GetPresence is bounded the same way; GetMembers pages every lasting member.
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

public sealed class BigRoomTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Fact]
    public Task AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAll() =>
        BigRooms.AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAllAsync(fixture.Server, fixture.Server);
}

/// <summary>The same on a cluster, where presence lives in Redis and the crowd is on both nodes.</summary>
public sealed class BigRoomClusterTests(SqliteClusterFixture cluster) : IClassFixture<SqliteClusterFixture>
{
    [Fact]
    public Task AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAll() =>
        BigRooms.AJoinListsAtMostAHundredUsersCallerFirstAndCountsThemAllAsync(cluster.Nodes[0], cluster.Nodes[1]);
}
