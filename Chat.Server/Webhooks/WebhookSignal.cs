using System.Threading.Channels;
using Chat.Server.Messaging;

namespace Chat.Server.Webhooks;

/// <summary>
/// Wakes the webhook delivery loop after a commit of this node, without ever waiting: the pipeline's publishing loop
/// only drops a token into a one-slot channel. Changes of other nodes are found by the loop's poll.
/// </summary>
public sealed class WebhookSignal : IChangeListener
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void OnCommitted(IReadOnlyList<ChangePipeline.PendingChange> batch) => _wake.Writer.TryWrite(true);

    /// <summary>Returns after a commit since the last wake-up, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
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
