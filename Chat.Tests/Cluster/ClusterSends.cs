using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>Concurrent writers on several nodes, and what their acknowledgements must add up to.</summary>
internal static class ClusterSends
{
    public static async Task<ChatMessage[]> SendConcurrentlyAsync(string room, TestClient onA, TestClient onB, int perNode)
    {
        var sends = Enumerable.Range(0, perNode)
            .SelectMany(i => new[] { onA.SendMessage(room, $"a{i}", $"a-{i}"), onB.SendMessage(room, $"b{i}", $"b-{i}") });
        return await Task.WhenAll(sends).WithTimeout(TimeSpan.FromSeconds(60));
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
