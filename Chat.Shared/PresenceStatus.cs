namespace Chat.Shared;

/// <summary>The values of <see cref="UserPresence.Status"/> and <see cref="PresenceChange.Status"/>.</summary>
public static class PresenceStatus
{
    /// <summary>At least one connection of the user is open.</summary>
    public const string Online = "online";

    /// <summary>The user's last connection closed.</summary>
    public const string Offline = "offline";
}
