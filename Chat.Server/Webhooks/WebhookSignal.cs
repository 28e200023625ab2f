using System.Collections.Concurrent;
using System.Threading.Channels;
using Chat.Server.Messaging;

namespace Chat.Server.Webhooks;

/// <summary>
/// What this node tells its webhook delivery: commits, which wake the loop without ever waiting (the pipeline's
/// publishing loop only drops a token into a one-slot channel), and deletions, which stop a webhook's deliveries here
/// at once. Changes and deletions of other nodes are found by the loop's poll.
/// </summary>
public sealed class WebhookSignal : IChangeListener
{
    private readonly ConcurrentDictionary<string, bool> _deleted = new();

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void OnCommitted(IReadOnlyList<ChangePipeline.PendingChange> batch) => _wake.Writer.TryWrite(true);

    /// <summary>The webhook was deleted on this node: its worker here delivers nothing more.</summary>
    public void Deleted(string webhookId)
    {
        _deleted[webhookId] = true;
        _wake.Writer.TryWrite(true);
    }

    public bool IsDeleted(string webhookId) => _deleted.ContainsKey(webhookId);

    /// <summary>Returns after a commit since the last wake-up, or after <paramref name="timeout"/> (at once when not positive).</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll: time to look for changes of other nodes and for due retries.
        }
    }
}
