using System.Text.Json;
using Chat.Server.History;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Webhooks;

/// <summary>
/// Webhooks and their delivery state in the history store, where every node sees them: the registrations, one cursor
/// per webhook and room, and the lease that lets one node at a time deliver a webhook.
/// </summary>
public sealed class WebhookStore(IDbContextFactory<ChatDbContext> contexts, IMessageStore history)
{
    /// <summary>
    /// Stores a new webhook with a cursor at the end of each of its rooms' logs: it gets the changes from now on, not a
    /// room's past. A room without a cursor (made later) is delivered from its first change. False when
    /// <paramref name="maxWebhooks"/> are registered already.
    /// </summary>
    public async Task<bool> CreateAsync(WebhookRecord webhook, IReadOnlyList<string>? rooms, int maxWebhooks, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, RoomCounters> counters = rooms is null
            ? await history.GetRoomCountersAsync(cancellationToken)
            : await CountersOfAsync(rooms, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Webhooks.CountAsync(cancellationToken) >= maxWebhooks)
        {
            return false;
        }

        db.Webhooks.Add(webhook);
        db.WebhookCursors.AddRange(counters
            .Where(room => room.Value.LastEventSequence > 0)
            .Select(room => new WebhookCursorRecord { WebhookId = webhook.Id, Room = room.Key, LastEventSequence = room.Value.LastEventSequence }));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<List<WebhookRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Webhooks.AsNoTracking().OrderBy(w => w.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Each webhook as administrators see it, with the changes of its rooms it has not got past yet.</summary>
    public async Task<WebhookInfo[]> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var webhooks = await ListAsync(cancellationToken);
        if (webhooks.Count == 0)
        {
            return [];
        }

        var counters = await history.GetRoomCountersAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var cursors = (await db.WebhookCursors.AsNoTracking().ToListAsync(cancellationToken)).ToLookup(c => c.WebhookId);
        return
        [
            .. webhooks.Select(w =>
            {
                var at = cursors[w.Id].ToDictionary(c => c.Room, c => c.LastEventSequence);
                var rooms = RoomsOf(w);
                var pending = counters
                    .Where(room => rooms is null || rooms.Contains(room.Key))
                    .Sum(room => Math.Max(0, room.Value.LastEventSequence - at.GetValueOrDefault(room.Key)));
                return new WebhookInfo(w.Id, w.Url, EventsOf(w), rooms, w.CreatedAt, w.DisabledAt is null, w.FailingSince, w.LastError, pending);
            }),
        ];
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.WebhookCursors.Where(c => c.WebhookId == id).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Webhooks.Where(w => w.Id == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    /// <summary>
    /// Clears a webhook's failures (and its disabling): the next poll delivers it from its cursors, the backlog first.
    /// False when there is no such webhook.
    /// </summary>
    public async Task<bool> EnableAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Webhooks
            .Where(w => w.Id == id)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(w => w.DisabledAt, (DateTime?)null)
                    .SetProperty(w => w.FailingSince, (DateTime?)null)
                    .SetProperty(w => w.Failures, 0)
                    .SetProperty(w => w.NextAttemptAt, (DateTime?)null)
                    .SetProperty(w => w.LastError, (string?)null),
                cancellationToken);
        return updated == 1;
    }

    /// <summary>
    /// Claims or renews the webhook for <paramref name="node"/> until <paramref name="until"/>: one conditional UPDATE,
    /// which only one node can win while the lease of another is running (the same on SQLite and PostgreSQL). False
    /// when another node holds it, or the webhook is gone or disabled.
    /// </summary>
    public async Task<bool> TryLeaseAsync(string id, string node, DateTime now, DateTime until, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var claimed = await db.Webhooks
            .Where(w => w.Id == id && w.DisabledAt == null && (w.LeaseOwner == node || w.LeaseUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.LeaseOwner, node).SetProperty(w => w.LeaseUntil, until), cancellationToken);
        return claimed == 1;
    }

    /// <summary>Lets another node take the webhook at once (a node stopping), rather than after the lease runs out.</summary>
    public async Task ReleaseAsync(string id, string node, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Webhooks
            .Where(w => w.Id == id && w.LeaseOwner == node)
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.LeaseOwner, (string?)null).SetProperty(w => w.LeaseUntil, DateTime.UnixEpoch), cancellationToken);
    }

    public async Task<Dictionary<string, long>> GetCursorsAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.WebhookCursors.AsNoTracking()
            .Where(c => c.WebhookId == id)
            .ToDictionaryAsync(c => c.Room, c => c.LastEventSequence, cancellationToken);
    }

    /// <summary>
    /// Moves a cursor forward, never back: a node whose lease ran out while a receiver hung may still answer late,
    /// and must not undo the progress of the node that took over.
    /// </summary>
    public async Task AdvanceCursorAsync(string id, string room, long lastEventSequence, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await MoveAsync() > 0 || await db.WebhookCursors.AnyAsync(c => c.WebhookId == id && c.Room == room, cancellationToken))
        {
            return;
        }

        db.WebhookCursors.Add(new WebhookCursorRecord { WebhookId = id, Room = room, LastEventSequence = lastEventSequence });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node made the cursor in between: move it instead.
            await MoveAsync();
        }

        Task<int> MoveAsync() => db.WebhookCursors
            .Where(c => c.WebhookId == id && c.Room == room && c.LastEventSequence < lastEventSequence)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastEventSequence, lastEventSequence), cancellationToken);
    }

    /// <summary>Stores the webhook's failure state (after a failure, a success, or the decision to disable it).</summary>
    public async Task SaveHealthAsync(WebhookRecord webhook, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Webhooks
            .Where(w => w.Id == webhook.Id)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(w => w.FailingSince, webhook.FailingSince)
                    .SetProperty(w => w.Failures, webhook.Failures)
                    .SetProperty(w => w.NextAttemptAt, webhook.NextAttemptAt)
                    .SetProperty(w => w.LastError, webhook.LastError)
                    .SetProperty(w => w.DisabledAt, webhook.DisabledAt),
                cancellationToken);
    }

    public static string[] EventsOf(WebhookRecord webhook) => JsonSerializer.Deserialize<string[]>(webhook.Events) ?? [];

    public static string[]? RoomsOf(WebhookRecord webhook) => webhook.Rooms is null ? null : JsonSerializer.Deserialize<string[]>(webhook.Rooms);

    /// <summary>The counters of the named rooms (zero for a room without history yet).</summary>
    public async Task<Dictionary<string, RoomCounters>> CountersOfAsync(IReadOnlyList<string> rooms, CancellationToken cancellationToken = default)
    {
        var counters = new Dictionary<string, RoomCounters>(rooms.Count);
        foreach (var room in rooms)
        {
            counters[room] = await history.GetCountersAsync(room, cancellationToken);
        }

        return counters;
    }
}
