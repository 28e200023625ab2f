using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Server.Hubs;

/// <summary>
/// SignalR's in-process lifetime manager, with each user's connections kept by user id. The default one sends to a
/// user by testing every connection of the node, so each <c>ReadStateChanged</c>, notification or member event cost
/// the node's whole connection count: on a node of 10,000 connections, 5,000 read marks a second were 50 million tests
/// a second. Here a send to a user costs that user's connections. The Redis backplane keeps its own per-user
/// subscriptions; this is the single node's manager and the cluster's local fallback.
/// </summary>
public sealed class UserIndexedHubLifetimeManager<THub>(ILogger<DefaultHubLifetimeManager<THub>> logger) : DefaultHubLifetimeManager<THub>(logger)
    where THub : Hub
{
    private readonly Lock _lock = new();

    // Replaced, never changed in place, under the lock: a send reads a user's connections without taking it.
    private readonly ConcurrentDictionary<string, HubConnectionContext[]> _byUser = new(StringComparer.Ordinal);

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await base.OnConnectedAsync(connection);
        if (connection.UserIdentifier is { } user)
        {
            lock (_lock)
            {
                _byUser[user] = _byUser.TryGetValue(user, out var others) ? [.. others, connection] : [connection];
            }
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (connection.UserIdentifier is { } user)
        {
            lock (_lock)
            {
                if (_byUser.TryGetValue(user, out var connections))
                {
                    var rest = Array.FindAll(connections, c => c != connection);
                    if (rest.Length == 0)
                    {
                        _byUser.TryRemove(user, out _);
                    }
                    else
                    {
                        _byUser[user] = rest;
                    }
                }
            }
        }

        await base.OnDisconnectedAsync(connection);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _byUser.TryGetValue(userId, out var connections)
            ? SendAsync(connections, new SerializedHubMessage(new InvocationMessage(methodName, args)), cancellationToken)
            : Task.CompletedTask;

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var connections = userIds.SelectMany(user => _byUser.TryGetValue(user, out var ofUser) ? ofUser : []).ToArray();
        return connections.Length == 0
            ? Task.CompletedTask
            : SendAsync(connections, new SerializedHubMessage(new InvocationMessage(methodName, args)), cancellationToken);
    }

    /// <summary>As the default manager writes to many connections: each write started at once, a failed one not the others'.</summary>
    private static Task SendAsync(HubConnectionContext[] connections, SerializedHubMessage message, CancellationToken cancellationToken)
    {
        List<Task>? pending = null;
        foreach (var connection in connections)
        {
            var write = connection.WriteAsync(message, cancellationToken);
            if (!write.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(write.AsTask());
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }
}
