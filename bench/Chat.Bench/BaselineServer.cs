using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Chat.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Bench;

/// <summary>
/// The yardstick: the least a SignalR server can do for the same traffic. Same method names, same payloads, same
/// protocols as the chat hub, but no auth, no checks, no persistence: <c>Clients.Group(room).SendAsync</c>.
/// </summary>
internal static class BaselineServer
{
    public const string AnnounceJoinsVariable = "BASELINE_ANNOUNCE_JOINS";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR(options => options.KeepAliveInterval = TimeSpan.FromSeconds(10))
            .AddJsonProtocol()
            .AddMessagePackProtocol();
        builder.Services.AddSingleton<RoomSequences>();
        builder.Services.AddSingleton(new JoinAnnouncements(Environment.GetEnvironmentVariable(AnnounceJoinsVariable) == "true"));

        var app = builder.Build();
        app.MapGet(ChatRoutes.Health, () => "ok");
        app.MapHub<BaselineHub>(ChatRoutes.Hub);
        await app.RunAsync();
        return 0;
    }
}

internal sealed class RoomSequences
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _sequences = new();

    public long Next(string room) => Interlocked.Increment(ref _sequences.GetOrAdd(room, _ => new StrongBox<long>()).Value);
}

/// <summary>
/// With <c>--baseline-joins announce</c>, joins are announced as the contract has ours announce them: to the room's
/// others while fewer than <see cref="ChatLimits.DefaultLargeRoomThreshold"/> are in it.
/// </summary>
internal sealed class JoinAnnouncements(bool enabled)
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _joined = new();

    public bool ShouldAnnounce(string room) =>
        enabled && Interlocked.Increment(ref _joined.GetOrAdd(room, _ => new StrongBox<int>()).Value) <= ChatLimits.DefaultLargeRoomThreshold;
}

internal sealed class BaselineHub(RoomSequences sequences, JoinAnnouncements announcements) : Hub
{
    public async Task<JoinResult> JoinRoom(string room)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, room);
        if (announcements.ShouldAnnounce(room))
        {
            await Clients.OthersInGroup(room).SendAsync(nameof(IChatClient.UserJoined), new RoomMemberEvent(room, Context.ConnectionId, "baseline", DateTime.UtcNow));
        }

        return new JoinResult(room, [], [], 0, 0, 0);
    }

    public async Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId)
    {
        var sequence = sequences.Next(room);
        var message = new ChatMessage(
            Guid.CreateVersion7().ToString("N"), room, sequence, Context.ConnectionId, "baseline", content, DateTime.UtcNow, clientMessageId,
            sequence, null, null, null, [], [], []);
        await Clients.Group(room).SendAsync(nameof(IChatClient.MessageReceived), message);
        return message;
    }
}
