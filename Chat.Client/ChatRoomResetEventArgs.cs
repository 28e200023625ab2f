using Chat.Shared;

namespace Chat.Client;

/// <summary>A room had to be reloaded (<see cref="ChatClient.RoomReset"/>): more changes were missed than the server replays.</summary>
public sealed class ChatRoomResetEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="room">The room (lower case).</param>
    /// <param name="rejoined">The answer of the client's fresh JoinRoom.</param>
    public ChatRoomResetEventArgs(string room, JoinResult rejoined)
    {
        Room = room;
        Rejoined = rejoined;
    }

    /// <summary>The room (lower case).</summary>
    public string Room { get; }

    /// <summary>
    /// The room as it is now: its members and latest messages, as of <see cref="JoinResult.LastEventSequence"/>. Replace
    /// what you hold of the room with it (page further back with <see cref="ChatClient.GetHistoryAsync"/>); the events
    /// carry on from there, as after <see cref="ChatClient.JoinRoomAsync"/>.
    /// </summary>
    public JoinResult Rejoined { get; }
}
