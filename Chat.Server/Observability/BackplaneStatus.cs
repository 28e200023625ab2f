namespace Chat.Server.Observability;

/// <summary>
/// Whether this node's backplane link is up, for the <c>chat_backplane_connected</c> gauge. The backplane's owner sets
/// it on connect and on failure; a node without a backplane leaves it unset and the gauge reports nothing.
/// </summary>
public sealed class BackplaneStatus(ILogger<BackplaneStatus> logger)
{
    private const int Unknown = -1;
    private int _state = Unknown;

    public bool? Connected
    {
        get => Volatile.Read(ref _state) switch { Unknown => null, var state => state == 1 };
        set
        {
            var state = value switch { null => Unknown, true => 1, false => 0 };
            if (Interlocked.Exchange(ref _state, state) != state && value is { } connected)
            {
                ChatLog.BackplaneStateChanged(logger, connected ? "up" : "down");
            }
        }
    }
}
