using System.ComponentModel.DataAnnotations;
using Chat.Shared;

namespace Chat.Server.Rooms;

public sealed class RoomsOptions
{
    public const string SectionName = "Rooms";

    /// <summary>
    /// Users online from which a room is large: per-user join, leave, presence and typing events stop there and a
    /// <see cref="IChatClient.RoomActivity"/> a second (at most) reports the counts instead.
    /// </summary>
    [Range(2, int.MaxValue)]
    public int LargeRoomThreshold { get; set; } = ChatLimits.DefaultLargeRoomThreshold;
}
