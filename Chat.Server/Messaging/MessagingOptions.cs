using System.ComponentModel.DataAnnotations;
using Chat.Shared;

namespace Chat.Server.Messaging;

public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>Sustained messages per second per user (per node).</summary>
    [Range(1, 100_000)]
    public int MessagesPerSecond { get; set; } = ChatLimits.DefaultMessagesPerSecond;

    /// <summary>Messages a user may send at once before the sustained rate applies.</summary>
    [Range(1, 100_000)]
    public int Burst { get; set; } = ChatLimits.DefaultMessageBurst;
}
