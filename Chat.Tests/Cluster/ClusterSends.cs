using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>Concurrent writers on several nodes, and what their acknowledgements must add up to.</summary>
internal static class ClusterSends
{
    private const int ConnectionsPerNode = 20;

    /// <summary>
    /// Sends <paramref name="perNode"/> messages through each node, all in flight at once. A connection runs its
    /// invocations one at a time, so the load is spread over several connections per node to make the nodes'
    /// writers really race each other.
    /// </summary>
    public static async Task<ChatMessage[]> SendConcurrentlyAsync(string room, IReadOnlyList<ChatServerProcess> nodes, int perNode)
    {
        var clients = await Task.WhenAll(nodes.SelectMany((node, n) => Enumerable.Range(0, ConnectionsPerNode)
            .Select(async c =>
            {
                var client = await node.ConnectAsync(TestDefaults.UniqueUser($"w{n}x{c}"));
                await client.JoinRoom(room);
                return client;
            })));
        try
        {
            var perConnection = perNode / ConnectionsPerNode;
            return await Task.WhenAll(clients.SelectMany(client => Enumerable.Range(0, perConnection)
                .Select(i => client.SendMessage(room, $"{client.UserName} {i}", $"m-{i}"))));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    public static void ShouldBeGapFree(IReadOnlyCollection<ChatMessage> sent, int count) =>
        sent.Select(m => m.Sequence).Order().Should().Equal(Enumerable.Range(1, count).Select(i => (long)i));

    public static async Task<List<ChatMessage>> ReadAllAsync(TestClient client, string room)
    {
        var all = new List<ChatMessage>();
        while (true)
        {
            var page = await client.GetMessagesSince(room, all.Count == 0 ? 0 : all[^1].Sequence, 500);
            if (page.Length == 0)
            {
                return all;
            }

            all.AddRange(page);
        }
    }
}
