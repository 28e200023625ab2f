namespace Chat.Client;

/// <summary>Where a <see cref="ChatClient"/>'s connection stands.</summary>
public enum ChatConnectionState
{
    /// <summary>Not started, or stopped. Calls fail until <see cref="ChatClient.StartAsync"/>.</summary>
    Disconnected,

    /// <summary>Started and trying to reach the server for the first time; calls wait.</summary>
    Connecting,

    /// <summary>Connected, rooms re-joined and missed messages delivered; calls go through.</summary>
    Connected,

    /// <summary>The connection was lost; the client is trying to get it back and calls wait.</summary>
    Reconnecting,
}

/// <summary>A change of <see cref="ChatClient.State"/>.</summary>
public sealed class ChatConnectionStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="previous">The state before.</param>
    /// <param name="current">The state now.</param>
    /// <param name="reason">Why, when an error caused it.</param>
    public ChatConnectionStateChangedEventArgs(ChatConnectionState previous, ChatConnectionState current, Exception? reason)
    {
        Previous = previous;
        Current = current;
        Reason = reason;
    }

    /// <summary>The state before.</summary>
    public ChatConnectionState Previous { get; }

    /// <summary>The state now.</summary>
    public ChatConnectionState Current { get; }

    /// <summary>
    /// The error that caused the change: the lost connection for <see cref="ChatConnectionState.Reconnecting"/>, the
    /// failed attempt while still (re)connecting. Null for a requested start or stop and for
    /// <see cref="ChatConnectionState.Connected"/>.
    /// </summary>
    public Exception? Reason { get; }
}
