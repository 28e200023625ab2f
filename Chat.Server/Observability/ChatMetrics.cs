using System.Diagnostics.Metrics;

namespace Chat.Server.Observability;

/// <summary>The "Chat" meter. Exported at /metrics beside the ASP.NET Core, Kestrel and SignalR meters.</summary>
public sealed class ChatMetrics
{
    public const string MeterName = "Chat";

    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _messagesDelivered;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _hubErrors;
    private readonly Histogram<double> _storeCommitDuration;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _connections = Meter.CreateUpDownCounter<long>("chat.connections", description: "Open hub connections on this node.");
        _messagesSent = Meter.CreateCounter<long>("chat.messages.sent", description: "Messages stored and broadcast.");
        _messagesDelivered = Meter.CreateCounter<long>("chat.messages.delivered", description: "Messages times the room's member connections at broadcast.");
        _hubErrors = Meter.CreateCounter<long>("chat.hub.errors", description: "Rejected or failed hub invocations, by error code.");
        _storeCommitDuration = Meter.CreateHistogram<double>("chat.store.commit.duration", unit: "s", description: "History store group-commit duration.");
    }

    public Meter Meter { get; }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void MessageSent(int recipients)
    {
        _messagesSent.Add(1);
        _messagesDelivered.Add(recipients);
    }

    public void HubError(string method, string code) =>
        _hubErrors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", code));

    public void StoreCommitted(TimeSpan duration) => _storeCommitDuration.Record(duration.TotalSeconds);
}
