using System.Security.Claims;
using System.Text;
using Chat.Server.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Tests.Security;

/// <summary>Makes JWTs the way an attacker (or a misbehaving issuer) would, to see which the server accepts.</summary>
public static class TokenForge
{
    public const string Issuer = "chat";
    public const string Audience = "chat";

    public static string Create(
        string signingKey,
        string userName,
        DateTime? expires = null,
        DateTime? notBefore = null,
        string issuer = Issuer,
        string audience = Audience,
        bool withSubject = true)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim> { new(ChatClaims.UserName, userName) };
        if (withSubject)
        {
            claims.Add(new Claim(ChatClaims.UserId, GuestTokens.UserIdFor(userName)));
        }

        var notBeforeTime = notBefore ?? now.AddMinutes(-10);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBeforeTime,
            NotBefore = notBeforeTime,
            Expires = expires ?? now.AddHours(1),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(SigningKeyProvider.Decode(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An unsigned token (<c>"alg":"none"</c>) carrying otherwise valid claims.</summary>
    public static string Unsigned(string userName)
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var header = """{"alg":"none","typ":"JWT"}""";
        var payload = $$"""{"sub":"{{GuestTokens.UserIdFor(userName)}}","name":"{{userName}}","iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}},"nbf":{{exp - 7200}}}""";
        return Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header)) + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + ".";
    }
}
