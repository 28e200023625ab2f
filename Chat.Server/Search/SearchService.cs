using System.Diagnostics;
using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Search;

/// <summary><c>SearchMessages</c>: checks the request, lets the room policy rule on a named room, and asks the store's engine.</summary>
public sealed class SearchService(
    IDbContextFactory<ChatDbContext> contexts, SearchEngine engine, ChangePipeline pipeline, IMessageStore store, ConnectionRegistry connections,
    RoomPolicy policy, TimeProvider time, ChatMetrics metrics)
{
    public async Task<SearchResult> SearchAsync(string connectionId, SearchRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, "SearchMessages needs a request");
        }

        if (request.Limit is < 1 or > ChatLimits.MaxSearchPage)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {ChatLimits.MaxSearchPage}");
        }

        if (request.SenderId is { Length: > ChatLimits.MaxUserIdLength } || !ChatRules.IsStorableText(request.SenderId))
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, $"senderId is at most {ChatLimits.MaxUserIdLength} characters of well-formed text");
        }

        var query = SearchQuery.Parse(request.Query);
        var cursor = SearchCursor.Decode(request.Cursor);
        var connection = connections.Get(connectionId);
        string? room = null;
        if (request.Room is not null)
        {
            var name = RoomName.Parse(request.Room);
            await policy.AuthorizeAsync(connection.User, name, RoomAction.Read, connection, cancellationToken);
            room = name;
        }

        var scope = new SearchScope(
            connection.User.Id, room, string.IsNullOrEmpty(request.SenderId) ? null : request.SenderId,
            Utc(request.After), Utc(request.Before), cursor, time.GetUtcNow().UtcDateTime);

        var started = Stopwatch.GetTimestamp();
        if (engine.IndexesAfterTheCommit)
        {
            await pipeline.RunOnWriterConnectionAsync((commands, token) => engine.CatchUpAsync(commands.Connection, token), cancellationToken);
        }

        List<SearchRow> rows;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var store = db.Database.GetDbConnection();
            rows = await engine.SearchAsync(store, query, scope, request.Limit + 1, cancellationToken);
        }

        metrics.StoreRead("search", Stopwatch.GetElapsedTime(started));
        var page = rows.Count > request.Limit ? rows[..request.Limit] : rows;
        var messages = await store.DescribeAsync([.. page.Select(r => r.Message)], cancellationToken);
        var hits = new SearchHit[page.Count];
        for (var i = 0; i < hits.Length; i++)
        {
            hits[i] = new SearchHit(messages[i], Snippets.ToHtml(page[i].MarkedSnippet));
        }

        var next = rows.Count > request.Limit ? page[^1].Cursor.Encode() : null;
        return new SearchResult(hits, next);
    }

    /// <summary>Times without a zone are taken as UTC, the contract's zone.</summary>
    private static DateTime? Utc(DateTime? value) => value switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        { } other => DateTime.SpecifyKind(other, DateTimeKind.Utc),
    };
}
