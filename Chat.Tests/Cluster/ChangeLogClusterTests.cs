using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>Two server processes on one SQLite file: every kind of change at once still numbers the room's log 1..N.</summary>
public sealed class SqliteChangeLogClusterTests(ProcessClusterFixture cluster) : IClassFixture<ProcessClusterFixture>
{
    [Fact]
    public async Task ConcurrentChangesFromTwoProcessesNumberTheLogWithoutGapsOrDuplicates() =>
        await ClusterChanges.ShouldNumberEveryChangeOnceAsync([.. cluster.Nodes.Select(n => (Func<string, Task<TestClient>>)(user => n.ConnectAsync(user)))]);

    [Fact]
    public async Task CopiesOfOneChangeSentToBothProcessesAtOnceAreOneChange() =>
        await ClusterChanges.ShouldApplyCopiesOnceAsync([.. cluster.Nodes.Select(n => (Func<string, Task<TestClient>>)(user => n.ConnectAsync(user)))]);
}

/// <summary>Two nodes on one PostgreSQL history: every kind of change at once still numbers the room's log 1..N.</summary>
public sealed class PostgresChangeLogClusterTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public async Task ConcurrentChangesOnBothNodesNumberTheLogWithoutGapsOrDuplicates() =>
        await ClusterChanges.ShouldNumberEveryChangeOnceAsync([.. cluster.Nodes.Select(n => (Func<string, Task<TestClient>>)(user => n.ConnectAsync(user)))]);

    [Fact]
    public async Task CopiesOfOneChangeSentToBothNodesAtOnceAreOneChange() =>
        await ClusterChanges.ShouldApplyCopiesOnceAsync([.. cluster.Nodes.Select(n => (Func<string, Task<TestClient>>)(user => n.ConnectAsync(user)))]);
}

/// <summary>Clients on several nodes posting, editing, deleting and reacting in one room at the same time.</summary>
internal static class ClusterChanges
{
    private const int ClientsPerNode = 10;
    private const int Rounds = 3;

    /// <summary>Per round and client: two posts, an edit, two reactions added, one removed, a delete.</summary>
    private const int ChangesPerRound = 7;

    /// <summary>Delivery across nodes under load: generous, for a loaded 2-core machine.</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the changes through each node (given by how to connect to it) and reads back the room's log.</summary>
    public static async Task ShouldNumberEveryChangeOnceAsync(IReadOnlyList<Func<string, Task<TestClient>>> nodes)
    {
        var room = TestDefaults.UniqueRoom();
        var clients = new List<TestClient>();
        try
        {
            var observers = new List<TestClient>();
            foreach (var node in nodes)
            {
                var observer = await node(TestDefaults.UniqueUser("observer"));
                observers.Add(observer);
                clients.Add(observer);
                await observer.JoinRoom(room);
            }

            var seed = await observers[0].SendMessage(room, "react to me");

            // Connecting is not what is measured: a few at a time, so a loaded machine does not time the handshakes out.
            var writers = new List<TestClient>();
            var slots = nodes.SelectMany((node, n) => Enumerable.Range(0, ClientsPerNode).Select(c => (node, name: $"w{n}x{c}")));
            await Parallel.ForEachAsync(slots, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (slot, _) =>
            {
                var writer = await slot.node(TestDefaults.UniqueUser(slot.name));
                await writer.JoinRoom(room);
                lock (writers)
                {
                    writers.Add(writer);
                }
            });
            clients.AddRange(writers);

            var writing = Task.WhenAll(writers.Select(writer => ChangeAsync(writer, room, seed)));
            var expected = 1 + (writers.Count * Rounds * ChangesPerRound);
            var replayed = await ReplayWhileWritingAsync(observers[^1], room, writing, expected);
            var acknowledged = await writing;

            replayed.Should().Equal(Enumerable.Range(1, expected).Select(i => (long)i), "a page read while others write never skips a change");
            var log = await observers[^1].ReadAllEventsAsync(room);
            log.Select(e => e.EventSequence).Should().Equal(Enumerable.Range(1, expected).Select(i => (long)i));
            log.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count()).Should().BeEquivalentTo(new Dictionary<string, int>
            {
                [RoomEventTypes.MessagePosted] = 1 + (writers.Count * Rounds * 2),
                [RoomEventTypes.MessageEdited] = writers.Count * Rounds,
                [RoomEventTypes.ReactionAdded] = writers.Count * Rounds * 2,
                [RoomEventTypes.ReactionRemoved] = writers.Count * Rounds,
                [RoomEventTypes.MessageDeleted] = writers.Count * Rounds,
            });
            var acks = acknowledged.SelectMany(a => a).ToList();
            acks.Should().OnlyHaveUniqueItems().And.BeSubsetOf(log.Select(e => e.EventSequence), "each acknowledged change is the change the log holds");

            var messages = (await observers[0].GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage)).ToList();
            messages.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, 1 + (writers.Count * Rounds * 2)).Select(i => (long)i));
            messages[0].Reactions.Should().HaveCount(Rounds).And.OnlyContain(r => r.Count == writers.Count);

            foreach (var observer in observers)
            {
                var heard = await Eventually.MatchesAsync(
                    () => Task.FromResult(observer.Messages.Items.Select(m => m.EventSequence).Concat(observer.Changes.Items.Select(e => e.EventSequence)).ToList()),
                    seen => seen.Count >= expected,
                    DeliveryTimeout,
                    "every node's members hear every change");
                heard.Should().HaveCount(expected).And.OnlyHaveUniqueItems("every change is heard once");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Follows the log as a recovering client does, from the last change it has, while the writers run: each page must
    /// continue exactly where the previous one ended, or a change would be lost for good.
    /// </summary>
    private static async Task<List<long>> ReplayWhileWritingAsync(TestClient reader, string room, Task writing, int expected)
    {
        var seen = new List<long>();
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        while (seen.Count < expected && DateTime.UtcNow < deadline)
        {
            var page = await reader.GetEventsSince(room, seen.Count == 0 ? 0 : seen[^1], 50);
            page.ResetRequired.Should().BeFalse();
            seen.AddRange(page.Events.Select(e => e.EventSequence));
            if (page.Events.Length == 0)
            {
                await Task.WhenAny(writing, Task.Delay(20));
            }
        }

        return seen;
    }

    /// <summary>
    /// A client's retry may land on another node while the call it repeats is still in flight: one user on every node
    /// sends the same change at once, round after round, and each round is one change, heard once on every node.
    /// </summary>
    public static async Task ShouldApplyCopiesOnceAsync(IReadOnlyList<Func<string, Task<TestClient>>> nodes)
    {
        const int copiesPerNode = 3;
        const int rounds = 5;
        var room = TestDefaults.UniqueRoom();
        var user = TestDefaults.UniqueUser("twin");
        var clients = new List<TestClient>();
        try
        {
            var observers = new List<TestClient>();
            var copies = new List<TestClient>();
            foreach (var node in nodes)
            {
                observers.Add(await node(TestDefaults.UniqueUser("observer")));
                for (var i = 0; i < copiesPerNode; i++)
                {
                    copies.Add(await node(user));
                }
            }

            clients.AddRange([.. observers, .. copies]);
            foreach (var client in clients)
            {
                await client.JoinRoom(room);
            }

            for (var round = 0; round < rounds; round++)
            {
                var posts = await Task.WhenAll(copies.Select(c => c.PostMessage(room, new PostMessageRequest($"round {round}", $"round-{round}"))));
                var id = posts[0].Id;
                posts.Select(p => p.Id).Should().AllBe(id, "every copy answers the one stored message");
                await Task.WhenAll(copies.Select(c => c.EditMessage(room, id, $"round {round}, edited")));
                await Task.WhenAll(copies.Select(c => c.AddReaction(room, id, "👍")));
                await Task.WhenAll(copies.Select(c => c.RemoveReaction(room, id, "👍")));
                await Task.WhenAll(copies.Select(c => c.DeleteMessage(room, id)));
            }

            var expected = rounds * 5;
            var log = await observers[0].ReadAllEventsAsync(room);
            log.Select(e => (e.EventSequence, e.Type)).Should().Equal(Enumerable.Range(0, rounds).SelectMany(r => new[]
            {
                RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded, RoomEventTypes.ReactionRemoved, RoomEventTypes.MessageDeleted,
            }).Select((type, i) => ((long)i + 1, type)));
            foreach (var observer in observers)
            {
                await Eventually.MatchesAsync(
                    () => Task.FromResult(observer.Messages.Items.Select(m => m.EventSequence).Concat(observer.Changes.Items.Select(e => e.EventSequence)).ToList()),
                    seen => seen.Count >= expected,
                    DeliveryTimeout,
                    "every node's members hear every change");
                var marker = await observers[0].SendMessage(room, $"marker for {observer.UserName}");
                await observer.Messages.WaitForAsync(m => m.Id == marker.Id, DeliveryTimeout);
                observer.Messages.Items.Select(m => m.EventSequence).Concat(observer.Changes.Items.Select(e => e.EventSequence))
                    .Where(s => s <= expected).Should().HaveCount(expected).And.OnlyHaveUniqueItems("every change is heard once");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>One client's share of the changes; returns the eventSequence of every change acknowledged with one.</summary>
    private static async Task<List<long>> ChangeAsync(TestClient writer, string room, ChatMessage seed)
    {
        var acknowledged = new List<long>();
        for (var round = 0; round < Rounds; round++)
        {
            var kept = await writer.PostMessage(room, new PostMessageRequest($"{writer.UserName} {round}", $"k{round}", seed.Id, [seed.SenderId]));
            var doomed = await writer.PostMessage(room, new PostMessageRequest($"{writer.UserName} {round} doomed", $"d{round}"));
            acknowledged.Add(kept.EventSequence);
            acknowledged.Add(doomed.EventSequence);
            acknowledged.Add((await writer.EditMessage(room, kept.Id, $"{writer.UserName} {round} edited")).EventSequence);
            await writer.AddReaction(room, seed.Id, $":round{round}:");
            acknowledged.Add((await writer.AddReaction(room, kept.Id, "👍")).EventSequence);
            acknowledged.Add((await writer.RemoveReaction(room, kept.Id, "👍")).EventSequence);
            await writer.DeleteMessage(room, doomed.Id);
        }

        return acknowledged;
    }
}
