namespace Chat.Server.Observability;

/// <summary>
/// Whether this node's backplane link is up, for the <c>chat_backplane_connected</c> gauge. The backplane's owner sets
/// it on connect and on failure; a node without a backplane leaves it unset and the gauge reports nothing.
/// </summary>
public sealed class BackplaneStatus
{
    private volatile int _state = Unknown;

    private const int Unknown = -1;

    public bool? Connected
    {
        get => _state == Unknown ? null : _state == 1;
        set => _state = value switch { null => Unknown, true => 1, false => 0 };
    }
}
