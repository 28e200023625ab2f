namespace Chat.Server.Messaging;

/// <summary>The message lifecycle's settings (section <c>Messages</c>).</summary>
public sealed class MessagesOptions
{
    public const string SectionName = "Messages";

    /// <summary>How long after sending a message may be edited (e.g. <c>00:15:00</c>); null: no limit.</summary>
    public TimeSpan? EditWindow { get; set; }
}

/// <summary>The change log's settings (section <c>Events</c>).</summary>
public sealed class EventsOptions
{
    public const string SectionName = "Events";

    /// <summary>Most changes <c>GetEventsSince</c> replays; beyond, the client is told to reload the room.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, int.MaxValue)]
    public int MaxReplay { get; set; } = Chat.Shared.ChatLimits.DefaultMaxEventReplay;
}
