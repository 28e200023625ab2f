using Chat.Shared;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Bench;

/// <summary>
/// Search beside the read it should cost about as much as: a history page. 10,000 messages of ordinary text in ten
/// rooms, then each kind of call many times in a row from one client, timed end to end (hub round trip included).
/// </summary>
internal static class SearchBench
{
    private const int Rooms = 10;
    private const int Messages = 10_000;

    // Word frequencies shaped like a language's: a few words in many messages, most words in few.
    private static readonly string[] Common = ["the", "and", "meeting", "today", "deploy", "thanks", "question", "release"];

    public static async Task RunAsync(BenchResults results, CancellationToken cancellationToken)
    {
        await using var chat = await ServerUnderTest.StartAsync(ServerKind.Chat, cancellationToken: cancellationToken);
        var clients = await LoadClientFactory.ConnectAsync(chat, WireProtocol.MessagePack,
            [.. Enumerable.Range(0, Rooms).Select(i => $"search-{i}")], "search", cancellationToken: cancellationToken);
        try
        {
            await SeedAsync(clients, cancellationToken);
            var reader = clients[0].Connection;
            var room = clients[0].Room;
            (string Name, Func<Task<int>> Call)[] calls =
            [
                ("GetHistory, newest page of 50", async () => (await reader.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetHistory), room, null, 50, cancellationToken)).Length),
                ("GetHistory, a page of 50 from the middle", async () => (await reader.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetHistory), room, 500L, 50, cancellationToken)).Length),
                ("SearchMessages, a common word, one room, 20", () => SearchAsync(reader, new SearchRequest("meeting", Room: room), cancellationToken)),
                ("SearchMessages, a common word, all rooms, 20", () => SearchAsync(reader, new SearchRequest("meeting"), cancellationToken)),
                ("SearchMessages, two common words, all rooms, 50", () => SearchAsync(reader, new SearchRequest("the deploy", Limit: 50), cancellationToken)),
                ("SearchMessages, a rare word, all rooms", () => SearchAsync(reader, new SearchRequest("word1234"), cancellationToken)),
                ("SearchMessages, a phrase, all rooms", () => SearchAsync(reader, new SearchRequest("\"deploy today\""), cancellationToken)),
                ("SearchMessages, a prefix, all rooms", () => SearchAsync(reader, new SearchRequest("word12*"), cancellationToken)),
            ];
            foreach (var (name, call) in calls)
            {
                results.Queries.Add(await RepeatedCalls.MeasureAsync("search", name, $"{Messages:N0} stored messages", call, cancellationToken));
            }
        }
        finally
        {
            await LoadClientFactory.DisposeAllAsync(clients);
        }
    }

    private static async Task SeedAsync(List<LoadClient> clients, CancellationToken cancellationToken)
    {
        foreach (var client in clients)
        {
            await client.JoinAsync(cancellationToken);
        }

        var random = new Random(14);
        var sent = 0;
        using (Progress.Every(() => $"search: seeding {Volatile.Read(ref sent):N0}/{Messages:N0} messages"))
        {
            await Parallel.ForEachAsync(clients, cancellationToken, async (client, token) =>
            {
                for (var i = 0; i < Messages / Rooms; i++)
                {
                    string content;
                    lock (random)
                    {
                        content = string.Join(' ', Enumerable.Range(0, 12).Select(_ => random.Next(4) == 0
                            ? Common[random.Next(Common.Length)]
                            : $"word{random.Next(20_000)}"));
                    }

                    await client.SendAsync(content, $"seed-{client.Room}-{i}", token);
                    Interlocked.Increment(ref sent);
                }
            });
        }
    }

    private static async Task<int> SearchAsync(HubConnection connection, SearchRequest request, CancellationToken cancellationToken) =>
        (await connection.InvokeAsync<SearchResult>(nameof(IChatHub.SearchMessages), request, cancellationToken)).Hits.Length;
}
