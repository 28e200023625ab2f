using System.Security.Claims;
using Chat.Server.Rooms;

namespace Chat.Server.Auth;

/// <summary>The JWT claims a chat user is read from (inbound claim mapping is off, so these are the raw names).</summary>
public static class ChatClaims
{
    public const string UserId = "sub";
    public const string UserName = "name";
    private const string PreferredUserName = "preferred_username";

    public static ChatUser ToChatUser(this ClaimsPrincipal principal)
    {
        var id = principal.FindFirst(UserId)?.Value
            ?? throw new InvalidOperationException("An authenticated hub connection has no 'sub' claim.");
        var name = principal.FindFirst(UserName)?.Value ?? principal.FindFirst(PreferredUserName)?.Value ?? id;
        return new ChatUser(id, name);
    }

    /// <summary>A principal with only the user's id and display name, authenticated by <paramref name="authenticationType"/>.</summary>
    public static ClaimsPrincipal ToSlimPrincipal(ClaimsPrincipal principal, string authenticationType)
    {
        var user = principal.ToChatUser();
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(UserId, user.Id), new Claim(UserName, user.Name)], authenticationType, UserName, roleType: null));
    }
}
