using System.Security.Cryptography;
using System.Text;

namespace Chat.Server.Calls;

/// <summary>
/// TURN REST credentials as coturn checks them with <c>use-auth-secret</c>: the user name is
/// <c>{unix expiry}:{userId}</c> and the password base64(HMAC-SHA1(secret, user name)), so coturn needs no list of users
/// and a leaked credential dies by itself.
/// </summary>
public static class TurnCredentials
{
    public static (string Username, string Credential) Create(string secret, string userId, DateTimeOffset expiresAt)
    {
        var username = $"{expiresAt.ToUnixTimeSeconds()}:{userId}";
        return (username, Sign(secret, username));
    }

    private static string Sign(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
}
