namespace Chat.Shared;

/// <summary>The callbacks the server invokes on clients. Method names are the wire contract.</summary>
public interface IChatClient
{
    /// <summary>A message was stored in a room this connection has joined.</summary>
    Task MessageReceived(ChatMessage message);

    /// <summary>
    /// A change other than a new message (an edit, a delete, a reaction, …) was stored in a room this connection has
    /// joined. Its <see cref="RoomEvent.EventSequence"/> follows the room's previous change.
    /// </summary>
    Task RoomChanged(RoomEvent roomEvent);

    /// <summary>A user's first connection joined a room this connection is in.</summary>
    Task UserJoined(RoomMemberEvent memberEvent);

    /// <summary>A user's last connection left a room this connection is in.</summary>
    Task UserLeft(RoomMemberEvent memberEvent);

    /// <summary>A user started or stopped typing in a room this connection is in.</summary>
    Task TypingChanged(TypingNotice notice);

    /// <summary>A user who shares a room with this connection came online or went offline.</summary>
    Task PresenceChanged(PresenceChange change);

    /// <summary>
    /// How many users are online and typing in a large room this connection is in: it replaces <see cref="UserJoined"/>,
    /// <see cref="UserLeft"/>, <see cref="PresenceChanged"/> and <see cref="TypingChanged"/> there. A per-user event in
    /// the room afterwards means it is small again (ask <see cref="IChatHub.GetPresence"/> who is there).
    /// </summary>
    Task RoomActivity(RoomActivity activity);

    /// <summary>The user's read pointer moved in a room (on this device or another): every connection of the user gets it.</summary>
    Task ReadStateChanged(ReadState state);

    /// <summary>A member's read pointer moved in a room this connection has joined (rooms with read receipts only).</summary>
    Task ReadReceiptChanged(ReadReceipt receipt);

    /// <summary>Someone mentioned the user, replied to them, wrote to them directly or added them to a room.</summary>
    Task NotificationReceived(Notification notification);

    /// <summary>Someone calls the user in a direct room: every connection of the user rings.</summary>
    Task CallOffered(IncomingCall call);

    /// <summary>The callee answered this connection's call.</summary>
    Task CallAnswered(CallAnswer answer);

    /// <summary>The other party's ICE candidates.</summary>
    Task IceCandidatesReceived(IceCandidates candidates);

    /// <summary>A call of this connection (placed, ringing or taken) is over; <see cref="CallEnd.Reason"/> says why.</summary>
    Task CallEnded(CallEnd end);
}
