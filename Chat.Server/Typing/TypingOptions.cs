using System.ComponentModel.DataAnnotations;
using Chat.Shared;

namespace Chat.Server.Typing;

public sealed class TypingOptions
{
    public const string SectionName = "Typing";

    /// <summary>How long after the last <c>SetTyping(true)</c> the server ends a typing state by itself.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(ChatLimits.TypingTimeoutSeconds);
}
