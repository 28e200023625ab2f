using System.ComponentModel.DataAnnotations;
using Chat.Shared;

namespace Chat.Server.Reading;

/// <summary>Read pointers and receipts (section <c>ReadState</c>).</summary>
public sealed class ReadStateOptions
{
    public const string SectionName = "ReadState";

    /// <summary>Rooms with more lasting members than this have no read receipts: "seen by" is for small rooms.</summary>
    [Range(0, 10_000)]
    public int ReceiptsMaxMembers { get; set; } = ChatLimits.DefaultReceiptsMaxMembers;

    /// <summary>
    /// The shortest time between two commits of read pointers: marks that arrive meanwhile wait and share the next.
    /// A mark is answered once it is stored, so this is also the longest a mark waits behind a busy burst.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
