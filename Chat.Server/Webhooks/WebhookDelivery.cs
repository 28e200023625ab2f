using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Chat.Server.History;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace Chat.Server.Webhooks;

/// <summary>
/// Delivers the change log to webhooks: the log is the outbox. Each node claims the webhooks nobody delivers (a lease
/// row, <see cref="WebhookStore.TryLeaseAsync"/>) and runs one worker per claimed webhook, beside the change pipeline
/// and never in its way: woken after this node's commits by <see cref="WebhookSignal"/>, and by a poll that finds
/// other nodes' changes, due retries and the webhooks of dead nodes. A worker walks each room's log from the webhook's
/// cursor in order and moves the cursor only past what the receiver answered 2xx (or what the webhook does not want),
/// so a crash repeats a delivery at worst (at least once, in order per room).
/// </summary>
internal sealed class WebhookDelivery(
    WebhookStore store,
    IMessageStore history,
    IHttpClientFactory httpClients,
    WebhookSignal signal,
    WebhookMetrics metrics,
    IOptions<WebhooksOptions> options,
    TimeProvider time,
    ILogger<WebhookDelivery> logger) : BackgroundService
{
    // The workers' view of the services (a nested class cannot reach primary-constructor parameters).
    private readonly WebhookStore _store = store;
    private readonly IMessageStore _history = history;
    private readonly IHttpClientFactory _httpClients = httpClients;
    private readonly WebhookMetrics _metrics = metrics;
    private readonly IOptions<WebhooksOptions> _options = options;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;
    private readonly WebhookSignal _signal = signal;
    public const string HttpClientName = "webhooks";

    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The hub's JSON shape of a <see cref="RoomEvent"/> (SignalR's JSON protocol: camelCase).</summary>
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private readonly string _node = Guid.NewGuid().ToString("N");

    private enum PassEnd
    {
        CaughtUp,
        Failed,
        Stop,
    }

    /// <summary>The <c>webhook-id</c> of a change: the same on every retry, so receivers can drop repeats.</summary>
    public static string MessageId(RoomEvent roomEvent) => $"{roomEvent.Room}:{roomEvent.EventSequence}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = new Dictionary<string, Worker>();
        var nextPoll = DateTime.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = _time.GetUtcNow().UtcDateTime;
                if (now >= nextPoll)
                {
                    nextPoll = now + _options.Value.PollInterval;
                    try
                    {
                        await ClaimAsync(workers, stoppingToken);
                    }
                    catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                    {
                        ChatLog.WebhookLoopFailed(logger, _options.Value.PollInterval, exception);
                    }
                }
                else
                {
                    // A commit of this node: the workers look at once; the store is read for the webhooks only on the
                    // poll, so a busy node without webhooks pays nothing per commit.
                    foreach (var worker in workers.Values)
                    {
                        worker.Wake();
                    }
                }

                await _signal.WaitAsync(nextPoll - _time.GetUtcNow().UtcDateTime, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the workers see the same token and release their leases.
        }
        finally
        {
            await Task.WhenAll(workers.Values.Select(w => w.Running));
            foreach (var worker in workers.Values)
            {
                worker.Dispose();
            }
        }
    }

    /// <summary>Wakes the workers of this node and starts one for each webhook whose lease is free.</summary>
    private async Task ClaimAsync(Dictionary<string, Worker> workers, CancellationToken stoppingToken)
    {
        var webhooks = await _store.ListAsync(stoppingToken);
        _metrics.DisabledNow(webhooks.Count(w => w.DisabledAt is not null));
        var enabled = webhooks.Where(w => w.DisabledAt is null).Select(w => w.Id).ToHashSet();
        foreach (var (id, worker) in workers.ToList())
        {
            if (!enabled.Contains(id))
            {
                // Deleted (or disabled by another node): stop now rather than when the lease is next renewed.
                worker.Stop();
            }

            if (worker.Running.IsCompleted)
            {
                workers.Remove(id);
                worker.Dispose();
                _metrics.Forget(id);
            }
        }

        var now = _time.GetUtcNow().UtcDateTime;
        foreach (var webhook in webhooks.Where(w => w.DisabledAt is null))
        {
            if (workers.TryGetValue(webhook.Id, out var worker))
            {
                worker.Wake();
            }
            else if ((webhook.LeaseOwner == _node || webhook.LeaseUntil < now)
                && await _store.TryLeaseAsync(webhook.Id, _node, now, now + _options.Value.LeaseDuration, stoppingToken))
            {
                workers[webhook.Id] = new Worker(this, webhook, now + _options.Value.LeaseDuration, stoppingToken);
            }
        }
    }

    /// <summary>Delivers one webhook while this node holds its lease.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly WebhookDelivery _owner;
        private readonly WebhookRecord _webhook;
        private readonly HashSet<string> _events;
        private readonly string[]? _rooms;
        private readonly StandardWebhook _signer;
        private readonly HttpClient _http;
        private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        private readonly CancellationTokenSource _stop;
        private DateTime _leaseUntil;

        public Worker(WebhookDelivery owner, WebhookRecord webhook, DateTime leaseUntil, CancellationToken stoppingToken)
        {
            _owner = owner;
            _webhook = webhook;
            _events = [.. WebhookStore.EventsOf(webhook)];
            _rooms = WebhookStore.RoomsOf(webhook);
            _signer = new StandardWebhook(webhook.Secret);
            _http = owner._httpClients.CreateClient(HttpClientName);
            _leaseUntil = leaseUntil;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Running = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        }

        public Task Running { get; }

        private WebhooksOptions Options => _owner._options.Value;

        private DateTime Now => _owner._time.GetUtcNow().UtcDateTime;

        public void Wake() => _wake.Writer.TryWrite(true);

        public void Stop() => _stop.Cancel();

        /// <summary>Once <see cref="Running"/> has completed.</summary>
        public void Dispose() => _stop.Dispose();

        private async Task RunAsync(CancellationToken stoppingToken)
        {
            try
            {
                while (await WaitUntilDueAsync(stoppingToken))
                {
                    var end = await PassAsync(stoppingToken);
                    if (end == PassEnd.Stop || (end == PassEnd.CaughtUp && !await WaitForWorkAsync(stoppingToken)))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the lease is released below.
            }
            catch (Exception exception)
            {
                // The store is unreachable, say: the poll claims the webhook again once it is back.
                ChatLog.WebhookWorkerFailed(_owner._logger, _webhook.Id, exception);
            }
            finally
            {
                await ReleaseAsync();
            }
        }

        /// <summary>Walks every room behind its cursor, oldest change first; stops at the first failure.</summary>
        private async Task<PassEnd> PassAsync(CancellationToken cancellationToken)
        {
            IReadOnlyDictionary<string, RoomCounters> counters = _rooms is null
                ? await _owner._history.GetRoomCountersAsync(cancellationToken)
                : await _owner._store.CountersOfAsync(_rooms, cancellationToken);
            var cursors = await _owner._store.GetCursorsAsync(_webhook.Id, cancellationToken);
            var behind = counters
                .Select(room => (Room: room.Key, Last: room.Value.LastEventSequence, After: cursors.GetValueOrDefault(room.Key)))
                .Where(room => room.Last > room.After)
                .ToList();
            _owner._metrics.Pending(_webhook.Id, behind.Sum(room => room.Last - room.After));
            foreach (var (room, last, start) in behind)
            {
                var after = start;
                while (after < last)
                {
                    if (!await RenewLeaseIfDueAsync(cancellationToken))
                    {
                        return PassEnd.Stop;
                    }

                    var page = await _owner._history.GetEventsAsync(room, after, Math.Min(last, after + Options.BatchSize), cancellationToken);
                    var passed = after;
                    foreach (var roomEvent in page)
                    {
                        if (_owner._signal.IsDeleted(_webhook.Id))
                        {
                            return PassEnd.Stop;
                        }

                        if (_events.Contains(roomEvent.Type))
                        {
                            if (await SendAsync(roomEvent, cancellationToken) is { } error)
                            {
                                await AdvanceAsync(room, after, passed, cancellationToken);
                                return await FailedAsync(roomEvent, error, cancellationToken);
                            }

                            await RecoveredAsync(cancellationToken);
                        }

                        passed = roomEvent.EventSequence;
                    }

                    if (passed == after)
                    {
                        break;
                    }

                    await AdvanceAsync(room, after, passed, cancellationToken);
                    after = passed;
                }
            }

            return PassEnd.CaughtUp;
        }

        private async Task AdvanceAsync(string room, long from, long to, CancellationToken cancellationToken)
        {
            if (to > from)
            {
                await _owner._store.AdvanceCursorAsync(_webhook.Id, room, to, cancellationToken);
            }
        }

        /// <summary>One signed POST; null when the receiver answered 2xx, else what went wrong.</summary>
        private async Task<string?> SendAsync(RoomEvent roomEvent, CancellationToken cancellationToken)
        {
            var payload = JsonSerializer.Serialize(roomEvent, PayloadJson);
            var id = MessageId(roomEvent);
            var timestamp = _owner._time.GetUtcNow();
            using var request = new HttpRequestMessage(HttpMethod.Post, _webhook.Url)
            {
                Content = new StringContent(payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(IdHeader, id);
            request.Headers.Add(TimestampHeader, timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(SignatureHeader, _signer.Sign(id, timestamp, payload));

            var started = Stopwatch.GetTimestamp();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(Options.AttemptTimeout);
            var (outcome, error) = await AttemptAsync(request, attempt.Token, cancellationToken);
            _owner._metrics.Attempt(outcome, Stopwatch.GetElapsedTime(started));
            return error;
        }

        private async Task<(string Outcome, string? Error)> AttemptAsync(HttpRequestMessage request, CancellationToken attempt, CancellationToken stopping)
        {
            try
            {
                // Redirects are not followed (the handler's AllowAutoRedirect is off): a 3xx is a failure like a 5xx.
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt);
                return response.IsSuccessStatusCode
                    ? ("delivered", null)
                    : ("status", $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return ("timeout", $"no answer within {Options.AttemptTimeout.TotalSeconds:0.###} s");
            }
            catch (HttpRequestException exception) when (FindRefusal(exception) is { } refusal)
            {
                return ("refused", $"refused: {refusal.Message}");
            }
            catch (HttpRequestException exception)
            {
                return ("error", exception.Message);
            }
        }

        private static WebhookTargetRefusedException? FindRefusal(Exception? exception)
        {
            for (; exception is not null; exception = exception.InnerException)
            {
                if (exception is WebhookTargetRefusedException refusal)
                {
                    return refusal;
                }
            }

            return null;
        }

        /// <summary>Schedules the retry of <paramref name="roomEvent"/>, or disables the webhook once the horizon has passed.</summary>
        private async Task<PassEnd> FailedAsync(RoomEvent roomEvent, string error, CancellationToken cancellationToken)
        {
            var now = Now;
            _webhook.FailingSince ??= now;
            _webhook.Failures++;
            _webhook.LastError = error.Length > 512 ? error[..512] : error;
            if (WebhookRetries.ShouldDisable(_webhook.FailingSince.Value, now, Options))
            {
                _webhook.DisabledAt = now;
                _webhook.NextAttemptAt = null;
                await _owner._store.SaveHealthAsync(_webhook, cancellationToken);
                _owner._metrics.Disabled();
                ChatLog.WebhookDisabled(_owner._logger, _webhook.Id, _webhook.Url, _webhook.FailingSince.Value, error);
                return PassEnd.Stop;
            }

            var delay = WebhookRetries.DelayAfter(_webhook.Failures, Options, Random.Shared.NextDouble());
            _webhook.NextAttemptAt = now + delay;
            await _owner._store.SaveHealthAsync(_webhook, cancellationToken);
            ChatLog.WebhookDeliveryFailed(_owner._logger, _webhook.Id, roomEvent.Room, roomEvent.EventSequence, error, _webhook.Failures, delay);
            return PassEnd.Failed;
        }

        private async Task RecoveredAsync(CancellationToken cancellationToken)
        {
            if (_webhook.FailingSince is not { } since)
            {
                return;
            }

            ChatLog.WebhookRecovered(_owner._logger, _webhook.Id, _webhook.Failures, since);
            _webhook.FailingSince = null;
            _webhook.Failures = 0;
            _webhook.NextAttemptAt = null;
            _webhook.LastError = null;
            await _owner._store.SaveHealthAsync(_webhook, cancellationToken);
        }

        /// <summary>Waits out a scheduled retry, keeping the lease; false when the lease is lost.</summary>
        private async Task<bool> WaitUntilDueAsync(CancellationToken cancellationToken)
        {
            while (_webhook.NextAttemptAt is { } due && due > Now)
            {
                var wait = due - Now;
                await Task.Delay(wait < Options.LeaseDuration / 3 ? wait : Options.LeaseDuration / 3, _owner._time, cancellationToken);
                if (!await RenewLeaseIfDueAsync(cancellationToken))
                {
                    return false;
                }
            }

            return await RenewLeaseIfDueAsync(cancellationToken);
        }

        /// <summary>
        /// Waits for a wake-up, keeping the lease meanwhile; false when the lease is lost. Only the claiming loop wakes a
        /// worker (after a commit, and on every poll), and only while the webhook is still listed: a deleted webhook's
        /// worker is stopped instead of delivering again.
        /// </summary>
        private async Task<bool> WaitForWorkAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timer.CancelAfter(Options.LeaseDuration / 3);
                try
                {
                    await _wake.Reader.ReadAsync(timer.Token);
                    return await RenewLeaseIfDueAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // No wake-up for a while (the claiming loop is failing, say): keep the lease all the same.
                }

                if (!await RenewLeaseIfDueAsync(cancellationToken))
                {
                    return false;
                }
            }
        }

        /// <summary>
        /// Renews the lease once half of it is gone: one write per half lease, not per delivery. False when another node
        /// has taken it or the webhook was deleted or disabled.
        /// </summary>
        private async Task<bool> RenewLeaseIfDueAsync(CancellationToken cancellationToken)
        {
            var now = Now;
            if (_leaseUntil - now > Options.LeaseDuration / 2)
            {
                return true;
            }

            if (!await _owner._store.TryLeaseAsync(_webhook.Id, _owner._node, now, now + Options.LeaseDuration, cancellationToken))
            {
                return false;
            }

            _leaseUntil = now + Options.LeaseDuration;
            return true;
        }

        private async Task ReleaseAsync()
        {
            try
            {
                await _owner._store.ReleaseAsync(_webhook.Id, _owner._node);
            }
            catch (Exception exception)
            {
                // The lease runs out by itself.
                ChatLog.WebhookWorkerFailed(_owner._logger, _webhook.Id, exception);
            }
        }
    }
}
