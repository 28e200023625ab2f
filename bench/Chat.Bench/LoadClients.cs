using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Chat.Shared;
using HdrHistogram;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Bench;

public enum WireProtocol
{
    Json,
    MessagePack,
}

/// <summary>
/// What the receivers of one measured step saw. Messages carry their step and their scheduled send time in the
/// content (<c>step|ticks|filler</c>), so a late message of an earlier step is never counted in a later one.
/// </summary>
public sealed class StepCounters(int step)
{
    private long _sent;
    private long _acked;
    private long _failed;
    private long _received;
    private long _orderViolations;

    public int Step { get; } = step;

    /// <summary>Send→receive latency in microseconds, from the scheduled send time (open loop: no coordinated omission).</summary>
    public LongConcurrentHistogram Latency { get; } = new(1, 60_000_000, 3);

    public long Sent => Interlocked.Read(ref _sent);

    public long Acked => Interlocked.Read(ref _acked);

    public long Failed => Interlocked.Read(ref _failed);

    public long Received => Interlocked.Read(ref _received);

    public long OrderViolations => Interlocked.Read(ref _orderViolations);

    public string? FirstError { get; private set; }

    public void OnSent() => Interlocked.Increment(ref _sent);

    public void OnAcked() => Interlocked.Increment(ref _acked);

    public void OnFailed(Exception exception)
    {
        FirstError ??= exception.GetBaseException().Message;
        Interlocked.Increment(ref _failed);
    }

    public void OnReceived(long latencyTicks)
    {
        Interlocked.Increment(ref _received);
        Latency.RecordValue(Math.Max(1, latencyTicks * 1_000_000 / Stopwatch.Frequency));
    }

    public void OnOutOfOrder() => Interlocked.Increment(ref _orderViolations);
}

/// <summary>One simulated user's connection: a raw HubConnection with the contract's method names.</summary>
public sealed class LoadClient(HubConnection connection, string room) : IAsyncDisposable
{
    private long _lastSequence;

    public HubConnection Connection { get; } = connection;

    public string Room { get; } = room;

    /// <summary>Where received messages are counted; switched per measured step.</summary>
    public static Func<int, StepCounters?> CountersFor { get; set; } = _ => null;

    /// <summary>When set, the client marks its room read up to each message it receives (the <c>readmarks</c> scenario).</summary>
    public bool MarksRead { get; set; }

    public static string Content(int step, long scheduledTicks, string filler) =>
        string.Create(CultureInfo.InvariantCulture, $"{step}|{scheduledTicks}|{filler}");

    public void StartReceiving() =>
        Connection.On<ChatMessage>(nameof(IChatClient.MessageReceived), message =>
        {
            var now = Stopwatch.GetTimestamp();
            var content = message.Content.AsSpan();
            var first = content.IndexOf('|');
            var second = content[(first + 1)..].IndexOf('|') + first + 1;
            if (first <= 0 || second <= first
                || !int.TryParse(content[..first], CultureInfo.InvariantCulture, out var step)
                || !long.TryParse(content[(first + 1)..second], CultureInfo.InvariantCulture, out var scheduled))
            {
                return;
            }

            var counters = CountersFor(step);
            if (counters is null)
            {
                return;
            }

            if (message.Sequence <= _lastSequence)
            {
                counters.OnOutOfOrder();
            }

            _lastSequence = message.Sequence;
            counters.OnReceived(now - scheduled);
            if (MarksRead)
            {
                // As a chat app does once it has shown the message; the answer is not waited for.
                _ = Connection.SendAsync(nameof(IChatHub.MarkRead), Room, message.Sequence);
            }
        });

    public Task<JoinResult> JoinAsync(CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), Room, cancellationToken);

    public Task<ChatMessage> SendAsync(string content, string clientMessageId, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), Room, content, clientMessageId, cancellationToken);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>Opens many connections fast: tokens first, then WebSockets without negotiate, spread over the server's loopback addresses.</summary>
public static class LoadClientFactory
{
    private const int ParallelConnects = 64;

    public static async Task<List<LoadClient>> ConnectAsync(
        ServerUnderTest server,
        WireProtocol protocol,
        IReadOnlyList<string> roomOfClient,
        string userPrefix,
        Action<int>? progress = null,
        int firstUser = 0,
        CancellationToken cancellationToken = default)
    {
        var clients = new LoadClient?[roomOfClient.Count];
        var tokens = server.Kind == ServerKind.Chat
            ? await GetTokensAsync(server.Addresses[0], userPrefix, firstUser, roomOfClient.Count, cancellationToken)
            : new string[roomOfClient.Count];
        var addressOfClient = SpreadOverAddresses(server.Addresses, roomOfClient);
        var connected = 0;
        await Parallel.ForAsync(0, roomOfClient.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelConnects, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var address = addressOfClient[i];
            var token = tokens[i];
            var builder = new HubConnectionBuilder()
                .WithUrl(new Uri(address, ChatRoutes.Hub), HttpTransportType.WebSockets, options =>
                {
                    options.SkipNegotiation = true;
                    if (token is not null)
                    {
                        options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    }
                });
            if (protocol == WireProtocol.MessagePack)
            {
                builder.AddMessagePackProtocol();
            }
            else
            {
                builder.AddJsonProtocol();
            }

            // The bench counts its own losses: no automatic reconnect that would hide one.
            var connection = builder.Build();
            connection.ServerTimeout = TimeSpan.FromSeconds(120);
            var client = new LoadClient(connection, roomOfClient[i]);
            client.StartReceiving();
            await connection.StartAsync(ct);
            await client.JoinAsync(ct);
            clients[i] = client;
            progress?.Invoke(Interlocked.Increment(ref connected));
        });
        return [.. clients.Select(c => c!)];
    }

    /// <summary>
    /// Round robin over the addresses (of one node, or of every node of a cluster), shifted by one for each room, so
    /// that a room's members, and the first member of each room that the scenarios make its sender, are spread too.
    /// </summary>
    private static Uri[] SpreadOverAddresses(IReadOnlyList<Uri> addresses, IReadOnlyList<string> roomOfClient)
    {
        var roomOrdinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new Uri[roomOfClient.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (!roomOrdinals.TryGetValue(roomOfClient[i], out var ordinal))
            {
                roomOrdinals[roomOfClient[i]] = ordinal = roomOrdinals.Count;
            }

            result[i] = addresses[(i + ordinal) % addresses.Count];
        }

        return result;
    }

    public static async Task DisposeAllAsync(IEnumerable<LoadClient> clients) =>
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = ParallelConnects }, async (c, _) => await c.DisposeAsync());

    /// <summary>Guests named <paramref name="userPrefix"/> and a number, from <paramref name="firstUser"/> on.</summary>
    private static async Task<string[]> GetTokensAsync(Uri address, string userPrefix, int firstUser, int count, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = address };
        var tokens = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            using var response = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest($"{userPrefix}{firstUser + i}"), ct);
            response.EnsureSuccessStatusCode();
            tokens[i] = (await response.Content.ReadFromJsonAsync<GuestTokenResponse>(ct))!.AccessToken;
        });
        return tokens;
    }
}
