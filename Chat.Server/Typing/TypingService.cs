using System.Collections.Concurrent;
using Chat.Server.Conversations;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.Typing;

/// <summary>
/// Typing state per (room, user). A <c>true</c> is announced once and renewed silently; the state ends on
/// <c>false</c>, on send, leave or disconnect, or by itself <see cref="TypingOptions.Timeout"/> (5 s) after the last <c>true</c>.
/// </summary>
public sealed class TypingService(
    ConnectionRegistry connections,
    MemberAnnouncer announcer,
    RoomPolicy policy,
    TimeProvider time,
    IOptions<TypingOptions> options,
    ILogger<TypingService> logger)
{
    private readonly ConcurrentDictionary<(string Room, string UserId), TypingState> _typing = new();

    public async Task SetTypingAsync(string connectionId, RoomName room, bool isTyping, CancellationToken cancellationToken = default)
    {
        var state = connections.Get(connectionId);
        if (!state.IsIn(room))
        {
            await policy.AuthorizeAsync(state.User, room, RoomAction.Read, cancellationToken: cancellationToken);
            throw new ChatException(ChatErrorCodes.NotAMember, $"join '{room}' before typing in it");
        }

        if (!isTyping)
        {
            await EndAsync(room, state.User, cancellationToken);
            return;
        }

        // A mute is read when a typing state starts, not on every renewal.
        if (!_typing.ContainsKey((room, state.User.Id)))
        {
            await policy.AuthorizeAsync(state.User, room, RoomAction.Type, cancellationToken: cancellationToken);
        }

        var expiresAt = time.GetUtcNow() + options.Value.Timeout;
        var started = false;
        _typing.AddOrUpdate(
            (room, state.User.Id),
            _ =>
            {
                started = true;
                return new TypingState(state.User, expiresAt);
            },
            (_, current) => current with { ExpiresAt = expiresAt });
        if (started)
        {
            await announcer.TypingChangedAsync(room, state.User, isTyping: true, connectionId);
        }
    }

    /// <summary>Ends the user's typing state in the room, announcing it when there was one.</summary>
    public Task EndAsync(string room, ChatUser user, CancellationToken cancellationToken = default) =>
        _typing.TryRemove((room, user.Id), out _) ? AnnounceEndAsync(room, user) : Task.CompletedTask;

    /// <summary>Ends every state whose last <c>true</c> is older than the timeout.</summary>
    public async Task ExpireAsync()
    {
        var now = time.GetUtcNow();
        foreach (var entry in _typing)
        {
            // Removing the exact pair keeps a state that was renewed meanwhile.
            if (entry.Value.ExpiresAt <= now && _typing.TryRemove(entry))
            {
                await AnnounceEndAsync(entry.Key.Room, entry.Value.User);
            }
        }
    }

    /// <summary>How many users are typing in each room where anyone is, on this node.</summary>
    public Dictionary<string, int> CountsByRoom() =>
        _typing.Keys.GroupBy(key => key.Room, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private async Task AnnounceEndAsync(string room, ChatUser user)
    {
        try
        {
            await announcer.TypingChangedAsync(room, user, isTyping: false);
        }
        catch (Exception exception)
        {
            ChatLog.TypingBroadcastFailed(logger, room, exception);
        }
    }

    private sealed record TypingState(ChatUser User, DateTimeOffset ExpiresAt);
}

/// <summary>Drives <see cref="TypingService.ExpireAsync"/>.</summary>
internal sealed class TypingExpiryLoop(TypingService typing, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await typing.ExpireAsync();
        }
    }
}
