using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.Rooms;

/// <summary>
/// A room name that has been checked and normalized once, where it entered the server: services take this type, so
/// none of them can be handed a name that is malformed or in the wrong case.
/// </summary>
public readonly record struct RoomName
{
    private RoomName(string value) => Value = value;

    /// <summary>The canonical (lower-case) name: the group, the store key and what clients see.</summary>
    public string Value { get; }

    /// <summary>Names the server keeps for direct rooms: nobody may create one of them by hand.</summary>
    public bool IsDirectName => Value.StartsWith(ChatLimits.DirectRoomPrefix, StringComparison.Ordinal);

    /// <summary>Checks a name from a caller; throws <c>invalid_room_name</c> when it breaks the rules.</summary>
    public static RoomName Parse(string? room) =>
        ChatRules.IsValidRoomName(room)
            ? new RoomName(ChatRules.NormalizeRoomName(room!))
            : throw new ChatException(ChatErrorCodes.InvalidRoomName, "room names are 1-64 characters of a-z, 0-9, _ and -, starting with a letter or digit");

    /// <summary>A name the server made or stored itself, already canonical.</summary>
    public static RoomName Trusted(string room) => new(room);

    public static implicit operator string(RoomName room) => room.Value;

    public override string ToString() => Value;
}
