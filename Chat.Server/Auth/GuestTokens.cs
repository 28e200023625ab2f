using System.Security.Claims;
using Chat.Shared;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Server.Auth;

/// <summary>Issues guest tokens: the user id is derived from the name, so one name is one user on every device.</summary>
public sealed class GuestTokens(SigningKeyProvider keys, IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public static string UserIdFor(string userName) => "guest:" + userName.ToLowerInvariant();

    public GuestTokenResponse Issue(string userName)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + options.Value.TokenLifetime;
        var userId = UserIdFor(userName);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim(ChatClaims.UserId, userId), new Claim(ChatClaims.UserName, userName)]),
            SigningCredentials = new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256),
        });
        return new GuestTokenResponse(token, expires, userId, userName);
    }
}
