namespace Chat.Server.Hubs;

/// <summary>
/// Broadcasts started and not awaited: a slow client or backplane must never hold up the caller. A send that fails
/// later is reported to <c>onFailure</c> (a log line) instead of going unobserved.
/// </summary>
internal static class Sends
{
    public static void Observe(Task sending, Action<Exception> onFailure)
    {
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending, onFailure);
        }
    }

    private static async Task ObserveAsync(Task sending, Action<Exception> onFailure)
    {
        try
        {
            await sending;
        }
        catch (Exception exception)
        {
            onFailure(exception);
        }
    }
}
