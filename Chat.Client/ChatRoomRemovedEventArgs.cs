using Chat.Shared;

namespace Chat.Client;

/// <summary>
/// This user is no longer a member of a room (<see cref="ChatClient.RemovedFromRoom"/>): kicked, banned, or left for good
/// (on this device or another). The client no longer delivers the room's changes and no longer re-joins it.
/// </summary>
public sealed class ChatRoomRemovedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="room">The room (lower case).</param>
    /// <param name="change">The <c>member.removed</c> change, when the client received it.</param>
    /// <param name="refusedWith">The code the server refused the re-join with, when that is how the client learnt of it.</param>
    public ChatRoomRemovedEventArgs(string room, RoomEvent? change, string? refusedWith)
    {
        Room = room;
        Change = change;
        RefusedWith = refusedWith;
    }

    /// <summary>The room (lower case).</summary>
    public string Room { get; }

    /// <summary>
    /// The <see cref="RoomEventTypes.MemberRemoved"/> change: who did it (<see cref="RoomEvent.ActorId"/>: this user's own
    /// id when they left) and the member as they were (<see cref="RoomMember.Banned"/>, <see cref="RoomMember.BannedUntil"/>,
    /// <see cref="RoomMember.BanReason"/> for a ban). Null when the client only learnt of the removal because the server
    /// refused to let it back in after a reconnect (see <see cref="RefusedWith"/>): the change itself is no longer
    /// readable then.
    /// </summary>
    public RoomEvent? Change { get; }

    /// <summary>
    /// <see cref="ChatErrorCodes.Forbidden"/> or <see cref="ChatErrorCodes.Banned"/> when the removal happened while the
    /// client was disconnected and the server refused the room after the reconnect; null when <see cref="Change"/> is set.
    /// </summary>
    public string? RefusedWith { get; }

    /// <summary>The user was banned (not only removed): they cannot join again or be added until the ban ends.</summary>
    public bool IsBanned => Change?.Member?.Banned ?? RefusedWith == ChatErrorCodes.Banned;

    /// <summary>The user left for good themselves (<see cref="ChatClient.LeaveRoomForGoodAsync"/>, here or on another device).</summary>
    public bool IsOwnLeave => Change is { Member: { } member } && Change.ActorId == member.UserId;
}
