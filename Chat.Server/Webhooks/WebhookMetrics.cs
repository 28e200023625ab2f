using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Chat.Server.Observability;

namespace Chat.Server.Webhooks;

/// <summary>The webhook instruments of the "Chat" meter (chat_webhook_deliveries, …).</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Counter<long> _disabled;
    private readonly ConcurrentDictionary<string, long> _pending = new();
    private int _disabledNow;

    public WebhookMetrics(ChatMetrics metrics)
    {
        var meter = metrics.Meter;
        _deliveries = meter.CreateCounter<long>("webhook.deliveries", description: "Webhook delivery attempts, by outcome (delivered, status, timeout, refused, error).");
        _deliveryDuration = meter.CreateHistogram<double>("webhook.delivery.duration", unit: "s", description: "Webhook delivery attempt duration, by outcome.");
        _disabled = meter.CreateCounter<long>("webhook.disablings", description: "Webhooks disabled after failing for the whole retry horizon.");
        meter.CreateObservableGauge("webhook.pending", ObservePending, description: "Changes of a webhook's rooms not yet delivered, by webhook (on the node delivering it).");
        meter.CreateObservableGauge("webhooks.disabled", () => Volatile.Read(ref _disabledNow), description: "Registered webhooks that are disabled.");
    }

    public void Attempt(string outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _deliveries.Add(1, tag);
        _deliveryDuration.Record(duration.TotalSeconds, tag);
    }

    public void Disabled() => _disabled.Add(1);

    public void DisabledNow(int count) => Volatile.Write(ref _disabledNow, count);

    public void Pending(string webhookId, long events) => _pending[webhookId] = events;

    /// <summary>This node no longer delivers the webhook: another node (or none) reports its backlog.</summary>
    public void Forget(string webhookId) => _pending.TryRemove(webhookId, out _);

    private IEnumerable<Measurement<long>> ObservePending() =>
        _pending.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("webhook", p.Key)));
}
