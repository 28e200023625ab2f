namespace Chat.Server.Webhooks;

/// <summary>
/// When a failing webhook is tried again, and when it is given up: exponential backoff from
/// <see cref="WebhooksOptions.FirstRetryDelay"/> up to <see cref="WebhooksOptions.MaxRetryDelay"/>, with jitter so that
/// the webhooks of one dead receiver (and the nodes behind them) do not all knock at once when it comes back.
/// </summary>
public static class WebhookRetries
{
    /// <summary>
    /// The wait after the <paramref name="failures"/>-th failure in a row (1: the first): the capped exponential delay,
    /// less a random part of up to half of it ("equal jitter": never below half the schedule, never above it).
    /// </summary>
    public static TimeSpan DelayAfter(int failures, WebhooksOptions options, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        // 2^30 times any first delay is far beyond any cap; a larger exponent would only overflow.
        var exponential = options.FirstRetryDelay * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = exponential > options.MaxRetryDelay ? options.MaxRetryDelay : exponential;
        return capped - (capped / 2 * Math.Clamp(random, 0, 1));
    }

    /// <summary>Whether a webhook failing since <paramref name="failingSince"/> is given up at <paramref name="now"/>.</summary>
    public static bool ShouldDisable(DateTime failingSince, DateTime now, WebhooksOptions options) =>
        now - failingSince >= options.RetryHorizon;
}
