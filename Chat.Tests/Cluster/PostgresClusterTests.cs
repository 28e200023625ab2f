using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>Two nodes on one PostgreSQL history (applied through its own migrations) and one Redis.</summary>
public sealed class PostgresClusterTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public async Task ConcurrentSendsOnBothNodesGetGapFreeUniqueSequences()
    {
        var room = TestDefaults.UniqueRoom();
        await using var reader = await cluster.Nodes[0].ConnectAsync(TestDefaults.UniqueUser("reader"));

        var sent = await ClusterSends.SendConcurrentlyAsync(room, [.. cluster.Nodes.Select(n => (Func<string, Task<TestClient>>)(user => n.ConnectAsync(user)))], perNode: 200);

        ClusterSends.ShouldBeGapFree(sent, 400);
        (await ClusterSends.ReadAllAsync(reader, room)).Should().Equal(sent.OrderBy(m => m.Sequence));
    }

    [Fact]
    public async Task RetriesAcrossNodesAreIdempotentAndHistoryIsShared()
    {
        var room = TestDefaults.UniqueRoom();
        var alice = TestDefaults.UniqueUser("alice");
        await using var onA = await cluster.Nodes[0].ConnectAsync(alice);
        await using var onB = await cluster.Nodes[1].ConnectAsync(alice);
        await onA.JoinRoom(room);
        await onB.JoinRoom(room);

        var first = await onA.SendMessage(room, "sent once", "retry-1");
        var retried = await onB.SendMessage(room, "sent once", "retry-1");

        retried.Should().Be(first);
        (await onB.GetHistory(room, null, 10)).Should().Equal(first);
        (await onB.ListRooms()).Should().ContainSingle(r => r.Room == room).Which.LastSequence.Should().Be(1);
    }

    [Fact]
    public async Task CopiesOfOneClientMessageIdSentAtOnceAreStoredOnce() =>
        await SameIdSends.ShouldStoreOneMessageAsync(user => cluster.Nodes[0].ConnectAsync(user));
}
