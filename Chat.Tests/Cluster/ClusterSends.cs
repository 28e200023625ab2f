using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Cluster;

/// <summary>Concurrent writers on several nodes, and what their acknowledgements must add up to.</summary>
internal static class ClusterSends
{
    private const int ConnectionsPerNode = 20;

    /// <summary>This measures ordering under contention, not latency: generous, for a loaded 2-core machine.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Sends <paramref name="perNode"/> messages through each node (given by how to connect to it), all in flight at once. A connection runs its
    /// invocations one at a time, so the load is spread over several connections per node to make the nodes'
    /// writers really race each other.
    /// </summary>
    public static async Task<ChatMessage[]> SendConcurrentlyAsync(string room, IReadOnlyList<Func<string, Task<TestClient>>> nodes, int perNode)
    {
        var clients = new List<TestClient>();
        try
        {
            // Connecting is not what is measured: a few at a time, so a loaded machine does not time the handshakes out.
            var writers = nodes.SelectMany((connect, n) => Enumerable.Range(0, ConnectionsPerNode).Select(c => (connect, name: $"w{n}x{c}")));
            await Parallel.ForEachAsync(writers, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (writer, _) =>
            {
                var client = await writer.connect(TestDefaults.UniqueUser(writer.name));
                lock (clients)
                {
                    clients.Add(client);
                }

                await client.JoinRoom(room);
            });

            // Every send is in flight at once; the last ones wait for all the commits before them.
            var perConnection = perNode / ConnectionsPerNode;
            return await Task.WhenAll(clients.SelectMany(client => Enumerable.Range(0, perConnection)
                .Select(i => client.Connection.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, $"{client.UserName} {i}", $"m-{i}")
                    .WithTimeout(SendTimeout))));
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
