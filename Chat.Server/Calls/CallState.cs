namespace Chat.Server.Calls;

/// <summary>
/// What the server keeps of a call: who and where, never media. <see cref="AnswerConnection"/> is null while it rings.
/// The node ids name the nodes that hold the two connections (empty on a single node), so a node that watches its
/// own party can tell when the other side's node died.
/// </summary>
public sealed record CallState(
    string CallId,
    string Room,
    string CallerId,
    string CallerName,
    string CalleeId,
    string CallerConnection,
    string CallerNode,
    string? AnswerConnection = null,
    string? AnswerNode = null)
{
    public bool IsAnswered => AnswerConnection is not null;
}

public readonly record struct RingingCall(string CallId, string CallerNode);

/// <summary>
/// The calls of the cluster (or of the one node): every transition is atomic, so of two answers, two hang-ups or an
/// answer and the ring timeout on any nodes exactly one wins. An ended call is remembered for a while so its id is
/// not taken again at once.
/// </summary>
public interface ICallStore
{
    /// <summary>This node's id in <see cref="CallState.CallerNode"/> and <see cref="CallState.AnswerNode"/>.</summary>
    string NodeId { get; }

    /// <summary>Stores a new ringing call; false when the id is in use (or was, recently).</summary>
    Task<bool> TryCreateAsync(CallState call, DateTimeOffset ringsUntil, CancellationToken cancellationToken = default);

    /// <summary>The call while it rings or is taken; null when unknown or over.</summary>
    Task<CallState?> GetAsync(string callId, CancellationToken cancellationToken = default);

    /// <summary>Takes a ringing call for <paramref name="connectionId"/>: the call as answered, or null when it no longer rings.</summary>
    Task<CallState?> TryAnswerAsync(string callId, string connectionId, CancellationToken cancellationToken = default);

    /// <summary>Ends the call (only a ringing one, with <paramref name="onlyIfRinging"/>): the call as it was, or null when this did not end it.</summary>
    Task<CallState?> TryEndAsync(string callId, bool onlyIfRinging, CancellationToken cancellationToken = default);

    /// <summary>Calls still ringing after their ring timeout.</summary>
    Task<IReadOnlyList<string>> OverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls still ringing, each with the node of its caller: no connection of the callee is a party yet, so only a
    /// look at the caller's node tells that a call rings for nobody.
    /// </summary>
    Task<IReadOnlyList<RingingCall>> RingingAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the node still holds its lease (always true on a single node).</summary>
    Task<bool> IsNodeAliveAsync(string nodeId, CancellationToken cancellationToken = default);
}
