using System.Globalization;
using System.Security.Cryptography;

namespace Chat.Server.Notifications;

/// <summary>
/// Notification ids: 32 hex characters that sort (ordinal) in the order this process made them, which is what paging
/// by <c>beforeId</c> needs. A version 7 GUID sorts by millisecond only, so the notifications of one batch (one
/// millisecond) would page in random order. Here: milliseconds since 1970 (12), a counter that orders ids within a
/// millisecond (8), and a number drawn once per process (12), so two nodes never make the same id.
/// </summary>
public static class NotificationIds
{
    private static readonly string Node = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds;
    private static uint _counter;

    public static string Next(DateTime at)
    {
        var milliseconds = new DateTimeOffset(at).ToUnixTimeMilliseconds();
        uint counter;
        lock (Gate)
        {
            // A clock that steps back must not make a newer id sort first: keep the last millisecond until it passes.
            if (milliseconds > _lastMilliseconds)
            {
                _lastMilliseconds = milliseconds;
                _counter = 0;
            }
            else
            {
                milliseconds = _lastMilliseconds;
                _counter++;
            }

            counter = _counter;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{milliseconds:x12}{counter:x8}{Node}");
    }
}
