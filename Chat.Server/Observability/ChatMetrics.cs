using System.Diagnostics.Metrics;
using Chat.Server.Rooms;

namespace Chat.Server.Observability;

/// <summary>
/// The "Chat" meter. Exported at /metrics beside the ASP.NET Core, Kestrel and SignalR meters; the exporter prefixes
/// each instrument with the meter name (chat_messages_sent, ...).
/// </summary>
public sealed class ChatMetrics
{
    public const string MeterName = "Chat";

    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _messagesDelivered;
    private readonly Counter<long> _hubErrors;
    private readonly Counter<long> _apiErrors;
    private readonly Histogram<double> _hubInvocationDuration;
    private readonly Histogram<double> _storeCommitDuration;
    private readonly Counter<long> _securityRefusals;
    private readonly Histogram<double> _storeReadDuration;
    private readonly Histogram<double> _storeReadWait;
    private readonly Counter<long> _roomChanges;
    private readonly Counter<long> _readCommits;
    private readonly Counter<long> _readMarks;
    private readonly Counter<long> _attachmentsUploaded;
    private readonly Counter<long> _attachmentBytes;
    private readonly Counter<long> _attachmentsRemoved;

    public ChatMetrics(IMeterFactory meterFactory, ConnectionRegistry connections, BackplaneStatus backplane)
    {
        Meter = meterFactory.Create(MeterName);
        Meter.CreateObservableGauge("connections", () => connections.Count, description: "Open hub connections on this node.");
        Meter.CreateObservableGauge("users.online", () => connections.UserCount, description: "Distinct users with a connection on this node.");
        Meter.CreateObservableGauge("rooms", () => connections.RoomCount, description: "Rooms with at least one connection on this node.");
        Meter.CreateObservableGauge("backplane.connected", () => ObserveBackplane(backplane), description: "1 while this node's backplane link is up, 0 while it is down; absent without a backplane.");
        _messagesSent = Meter.CreateCounter<long>("messages.sent", description: "Messages stored and broadcast.");
        _messagesDelivered = Meter.CreateCounter<long>("messages.delivered", description: "Messages times the room's member connections at broadcast.");
        _hubErrors = Meter.CreateCounter<long>("hub.errors", description: "Rejected or failed hub invocations, by error code.");
        _apiErrors = Meter.CreateCounter<long>("api.errors", description: "Refused requests of the server API (HTTP), by endpoint and error code.");
        _hubInvocationDuration = Meter.CreateHistogram<double>("hub.invocation.duration", unit: "s", description: "Hub method duration, by method.");
        _storeCommitDuration = Meter.CreateHistogram<double>("store.commit.duration", unit: "s", description: "History store group-commit duration.");
        _securityRefusals = Meter.CreateCounter<long>("security.refusals", description: "Requests and connections refused by a security check, by reason.");
        _storeReadDuration = Meter.CreateHistogram<double>("store.read.duration", unit: "s", description: "History store read duration, by operation.");
        _storeReadWait = Meter.CreateHistogram<double>("store.read.wait", unit: "s", description: "How long store reads that had to wait for their turn waited (Database:MaxConcurrentReads).");
        _roomChanges = Meter.CreateCounter<long>("room.changes", description: "Changes stored in room change logs, by type (message.posted, message.edited, …).");
        _readCommits = Meter.CreateCounter<long>("read.commits", description: "Commits of read pointers: each stores every mark that arrived since the one before.");
        _readMarks = Meter.CreateCounter<long>("read.marks", description: "Read pointers moved by MarkRead.");
        _attachmentsUploaded = Meter.CreateCounter<long>("attachments.uploaded", description: "Attachments stored by uploads.");
        _attachmentBytes = Meter.CreateCounter<long>("attachment.bytes", description: "Bytes of the attachments stored by uploads.");
        _attachmentsRemoved = Meter.CreateCounter<long>("attachments.removed", description: "Attachments removed by the cleanup, by reason (unposted, orphan).");
    }

    public Meter Meter { get; }

    /// <summary>Once per group commit, not per message: every measurement passes through each metrics listener.</summary>
    public void MessagesSent(int messages, long recipients)
    {
        _messagesSent.Add(messages);
        _messagesDelivered.Add(recipients);
    }

    /// <summary>Posts are added once per group commit; other changes, which are rare, one by one.</summary>
    public void RoomChanges(string type, int count) => _roomChanges.Add(count, new KeyValuePair<string, object?>("type", type));

    public void HubError(string method, string code) =>
        _hubErrors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", code));

    public void ApiError(string endpoint, string code) =>
        _apiErrors.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("code", code));

    public void HubInvoked(string method, TimeSpan duration) =>
        _hubInvocationDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("method", method));

    public void ReadPointersStored(int moved)
    {
        _readCommits.Add(1);
        _readMarks.Add(moved);
    }

    public void AttachmentUploaded(long bytes)
    {
        _attachmentsUploaded.Add(1);
        _attachmentBytes.Add(bytes);
    }

    public void AttachmentsRemoved(string reason, int count) => _attachmentsRemoved.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void StoreCommitted(TimeSpan duration) => _storeCommitDuration.Record(duration.TotalSeconds);

    public void SecurityRefusal(string reason) => _securityRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void StoreRead(string operation, TimeSpan duration) =>
        _storeReadDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>Only reads that found every turn taken: the others did not wait.</summary>
    public void StoreReadWaited(TimeSpan duration) => _storeReadWait.Record(duration.TotalSeconds);

    private static IEnumerable<Measurement<int>> ObserveBackplane(BackplaneStatus backplane) =>
        backplane.Connected is { } connected ? [new Measurement<int>(connected ? 1 : 0)] : [];
}
