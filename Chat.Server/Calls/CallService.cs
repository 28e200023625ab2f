using System.Collections.Concurrent;
using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.Calls;

/// <summary>
/// WebRTC signaling in direct rooms: relays offers, answers, candidates and hang-ups between the two parties'
/// connections and never sees media. A call is the caller's connection and, once answered, the callee's answering
/// connection; before the answer the caller's candidates go to every ringing connection of the callee.
/// </summary>
public sealed class CallService(
    ConnectionRegistry connections,
    RoomPolicy policy,
    IDbContextFactory<ChatDbContext> contexts,
    StoreReadGate gate,
    ICallStore store,
    ICallSignals signals,
    CallRateLimiter candidateLimiter,
    IHubContext<ChatHub, IChatClient> hub,
    IOptions<CallsOptions> options,
    TimeProvider time,
    ILogger<CallService> logger)
{
    // The calls a connection of this node is a party of, to end them when it closes.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _callsOfConnection = new(StringComparer.Ordinal);

    public async Task StartCallAsync(string connectionId, RoomName room, CallOffer? offer, CancellationToken cancellationToken = default)
    {
        var caller = connections.Get(connectionId).User;
        if (offer is null)
        {
            throw Invalid("StartCall needs an offer");
        }

        var callId = ValidCallId(offer.CallId);
        ValidSdp(offer.Sdp);
        await policy.AuthorizeAsync(caller, room, RoomAction.Call, cancellationToken: cancellationToken);
        var callee = await OtherMemberAsync(room, caller.Id, cancellationToken)
            ?? throw new ChatException(ChatErrorCodes.Forbidden, "nobody else is in this conversation to call");

        var call = new CallState(callId, room.Value, caller.Id, caller.Name, callee, connectionId, store.NodeId);
        if (!await store.TryCreateAsync(call, time.GetUtcNow() + options.Value.RingTimeout, cancellationToken))
        {
            throw Invalid("this callId is taken: use a new one for every call");
        }

        Track(connectionId, callId);
        await hub.Clients.User(callee).CallOffered(new IncomingCall(callId, offer.Sdp, offer.Video, room.Value, caller.Id, caller.Name));
        ChatLog.CallStarted(logger, callId, room.Value);
    }

    public async Task AnswerCallAsync(string connectionId, string? callId, string? sdp, CancellationToken cancellationToken = default)
    {
        var user = connections.Get(connectionId).User;
        ValidSdp(sdp);
        if (await GetAsync(callId, cancellationToken) is not { IsAnswered: false } ringing || ringing.CalleeId != user.Id)
        {
            throw NotFound();
        }

        var call = await store.TryAnswerAsync(ringing.CallId, connectionId, cancellationToken) ?? throw NotFound();
        Track(connectionId, call.CallId);
        await hub.Clients.Client(call.CallerConnection).CallAnswered(new CallAnswer(call.CallId, sdp!));
        await signals.EndForUserAsync(call.CalleeId, connectionId, new CallEnd(call.CallId, CallEndReasons.AnsweredElsewhere), cancellationToken);
        ChatLog.CallAnswered(logger, call.CallId);
    }

    public async Task SendIceCandidatesAsync(string connectionId, string? callId, IceCandidate[]? candidates, CancellationToken cancellationToken = default)
    {
        if (candidates is null || candidates.Length is 0 or > ChatLimits.MaxIceCandidatesPerSend
            || candidates.Any(c => c?.Candidate is null || c.Candidate.Length > ChatLimits.MaxIceCandidateLength))
        {
            throw Invalid($"1-{ChatLimits.MaxIceCandidatesPerSend} candidates of at most {ChatLimits.MaxIceCandidateLength} characters");
        }

        var call = await GetAsync(callId, cancellationToken) ?? throw NotFound();
        var fromCaller = call.CallerConnection == connectionId;
        if (!fromCaller && call.AnswerConnection != connectionId)
        {
            throw NotFound();
        }

        if (!candidateLimiter.TryAcquire(call.CallId + "\n" + connectionId, candidates.Length))
        {
            throw new ChatException(ChatErrorCodes.RateLimited, $"at most {ChatLimits.IceCandidatesPerSecond} candidates a second");
        }

        var relayed = new IceCandidates(call.CallId, candidates);
        await (fromCaller
            ? call.AnswerConnection is { } answerer ? hub.Clients.Client(answerer) : hub.Clients.User(call.CalleeId)
            : hub.Clients.Client(call.CallerConnection)).IceCandidatesReceived(relayed);
    }

    public async Task EndCallAsync(string connectionId, string? callId, string? reason, CancellationToken cancellationToken = default)
    {
        var user = connections.Get(connectionId).User;
        if (reason is null || !CallEndReasons.ByClient.Contains(reason))
        {
            throw Invalid($"the reason is one of {string.Join(", ", CallEndReasons.ByClient)}");
        }

        var call = await GetAsync(callId, cancellationToken) ?? throw NotFound();
        var isParty = call.CallerConnection == connectionId || call.AnswerConnection == connectionId
            || (!call.IsAnswered && call.CalleeId == user.Id);
        if (!isParty || await store.TryEndAsync(call.CallId, onlyIfRinging: false, cancellationToken) is not { } ended)
        {
            throw NotFound();
        }

        await AnnounceEndAsync(ended, reason, connectionId, cancellationToken);
    }

    public IceServer[] GetIceServers(string connectionId)
    {
        var user = connections.Get(connectionId).User;
        var settings = options.Value;
        var rest = settings.TurnSecret is { Length: > 0 } secret
            ? TurnCredentials.Create(secret, user.Id, time.GetUtcNow() + settings.TurnCredentialLifetime)
            : ((string, string)?)null;
        // Browsers refuse a TURN server without credentials, so one that has none (no fixed user, no secret) is left out.
        return
        [
            .. settings.IceServers
                .Where(s => !s.IsTurn || s.Username is not null || rest is not null)
                .Select(s => s.Username is null && s.IsTurn && rest is var (username, credential)
                    ? new IceServer(s.Urls, username, credential)
                    : new IceServer(s.Urls, s.Username, s.Credential)),
        ];
    }

    /// <summary>A closing connection ends its calls for the other side.</summary>
    public async Task DisconnectedAsync(string connectionId)
    {
        if (!_callsOfConnection.TryRemove(connectionId, out var calls))
        {
            return;
        }

        foreach (var callId in calls.Keys)
        {
            await EndQuietlyAsync(callId, CallEndReasons.Disconnected, connectionId, onlyIfRinging: false);
        }
    }

    /// <summary>
    /// Ends the calls whose ring timeout passed (on any node), the ringing calls whose caller's node died (on any node),
    /// and this node's calls whose other side's node died.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken = default)
    {
        foreach (var callId in await store.OverdueAsync(time.GetUtcNow(), cancellationToken))
        {
            await EndQuietlyAsync(callId, CallEndReasons.Timeout, endedBy: null, onlyIfRinging: true);
        }

        if (store.NodeId.Length == 0)
        {
            return; // One node: no other node to die, and every end untracks its calls here.
        }

        // One lease check per other node and round, however many calls it holds.
        var alive = new Dictionary<string, bool>(StringComparer.Ordinal);
        async Task<bool> IsAliveAsync(string node)
        {
            if (node == store.NodeId)
            {
                return true;
            }

            if (!alive.TryGetValue(node, out var isAlive))
            {
                alive[node] = isAlive = await store.IsNodeAliveAsync(node, cancellationToken);
            }

            return isAlive;
        }

        // Every node looks, since the callee's ringing connections are no party of the call on theirs.
        foreach (var ringing in await store.RingingAsync(cancellationToken))
        {
            if (!await IsAliveAsync(ringing.CallerNode))
            {
                await EndQuietlyAsync(ringing.CallId, CallEndReasons.Disconnected, endedBy: null, onlyIfRinging: true);
            }
        }

        foreach (var (connectionId, calls) in _callsOfConnection)
        {
            foreach (var callId in calls.Keys)
            {
                if (await store.GetAsync(callId, cancellationToken) is not { } call)
                {
                    calls.TryRemove(callId, out _);
                    continue;
                }

                var otherNode = call.CallerConnection == connectionId ? call.AnswerNode : call.CallerNode;
                if (otherNode is not null && !await IsAliveAsync(otherNode))
                {
                    var otherConnection = call.CallerConnection == connectionId ? call.AnswerConnection : call.CallerConnection;
                    await EndQuietlyAsync(callId, CallEndReasons.Disconnected, otherConnection, onlyIfRinging: false);
                }
            }
        }
    }

    private async Task EndQuietlyAsync(string callId, string reason, string? endedBy, bool onlyIfRinging)
    {
        try
        {
            if (await store.TryEndAsync(callId, onlyIfRinging) is { } ended)
            {
                await AnnounceEndAsync(ended, reason, endedBy);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ChatLog.CallEndFailed(logger, callId, exception);
        }
    }

    /// <summary>Tells both sides but <paramref name="endedBy"/> (the connection that ended it, if one did) that the call is over.</summary>
    private async Task AnnounceEndAsync(CallState call, string reason, string? endedBy, CancellationToken cancellationToken = default)
    {
        Untrack(call.CallerConnection, call.CallId);
        if (call.AnswerConnection is { } answerer)
        {
            Untrack(answerer, call.CallId);
        }

        var end = new CallEnd(call.CallId, reason);
        if (call.CallerConnection != endedBy)
        {
            await hub.Clients.Client(call.CallerConnection).CallEnded(end);
        }

        if (call.AnswerConnection is null)
        {
            await signals.EndForUserAsync(call.CalleeId, endedBy, end, cancellationToken);
        }
        else if (call.AnswerConnection != endedBy)
        {
            await hub.Clients.Client(call.AnswerConnection).CallEnded(end);
        }

        ChatLog.CallEnded(logger, call.CallId, reason);
    }

    private async Task<CallState?> GetAsync(string? callId, CancellationToken cancellationToken) =>
        ChatRules.IsValidCallId(callId) ? await store.GetAsync(callId!, cancellationToken) : null;

    private async Task<string?> OtherMemberAsync(RoomName room, string userId, CancellationToken cancellationToken)
    {
        using var turn = await gate.EnterAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Members.AsNoTracking()
            .Where(m => m.Room == room.Value && m.UserId != userId)
            .Select(m => m.UserId)
            .FirstOrDefaultAsync(cancellationToken);
    }

    private void Track(string connectionId, string callId) =>
        _callsOfConnection.GetOrAdd(connectionId, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[callId] = 0;

    private void Untrack(string connectionId, string callId)
    {
        if (_callsOfConnection.TryGetValue(connectionId, out var calls))
        {
            calls.TryRemove(callId, out _);
        }
    }

    private static string ValidCallId(string? callId) =>
        ChatRules.IsValidCallId(callId) ? callId! : throw Invalid("a callId is 8-64 characters of letters, digits, '_' and '-'");

    private static void ValidSdp(string? sdp)
    {
        if (string.IsNullOrWhiteSpace(sdp))
        {
            throw Invalid("an SDP is required");
        }

        if (sdp.Length > ChatLimits.MaxSdpLength)
        {
            throw new ChatException(ChatErrorCodes.TooLarge, $"an SDP is at most {ChatLimits.MaxSdpLength} characters");
        }
    }

    private static ChatException Invalid(string why) => new(ChatErrorCodes.InvalidRequest, why);

    private static ChatException NotFound() => new(ChatErrorCodes.CallNotFound, "no such call of yours is ringing or in progress");
}
