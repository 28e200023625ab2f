using System.Security.Cryptography;
using System.Text;
using Chat.Shared;

namespace Chat.Server.Conversations;

/// <summary>
/// The name of two users' direct room, computed the same way by every node from the pair alone: two <c>OpenDirect</c>
/// calls on two nodes at once try to create the same room, and the store's key lets only one of them.
/// </summary>
public static class DirectRooms
{
    public static string NameFor(string userId, string otherUserId)
    {
        var (first, second) = string.CompareOrdinal(userId, otherUserId) <= 0 ? (userId, otherUserId) : (otherUserId, userId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(first + "\n" + second));
        return ChatLimits.DirectRoomPrefix + Convert.ToHexStringLower(hash)[..40];
    }
}
