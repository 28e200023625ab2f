using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Chat.Shared;

namespace Chat.Server.Api;

/// <summary>The form of bots' API keys and user ids.</summary>
public static class BotKeys
{
    /// <summary>Makes a leaked key recognisable, to people and to secret scanners.</summary>
    public const string Prefix = "chatbot_";

    /// <summary>Bots' user ids: guests are <c>guest:name</c>, and an issuer's <c>sub</c> never takes this form.</summary>
    public const string UserIdPrefix = "bot:";

    private const int SecretBytes = 32;

    public static readonly int Length = Prefix.Length + Base64Url.GetEncodedLength(SecretBytes);

    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static bool IsWellFormed(string? key) =>
        key is not null && key.Length == Length && key.StartsWith(Prefix, StringComparison.Ordinal) && Base64Url.IsValid(key.AsSpan(Prefix.Length));

    /// <summary>
    /// What is stored of a key, and what a request's key is looked up by. A key is 256 random bits, not a password a
    /// person chose: nobody can guess it or try a dictionary against its hash, so it needs no salt and no slow hash,
    /// and one SHA-256 both hides it and finds it with an index.
    /// </summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>One name is one bot user, whatever its case (like guests).</summary>
    public static string UserIdFor(string name) => UserIdPrefix + name.ToLowerInvariant();

    /// <summary>The key of an <c>Authorization: Bot &lt;apiKey&gt;</c> header (the scheme in any case); null for any other header.</summary>
    public static string? FromAuthorization(string? authorization)
    {
        const string scheme = ChatApiRoutes.BotScheme;
        if (authorization is null || authorization.Length <= scheme.Length || authorization[scheme.Length] != ' '
            || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return authorization[(scheme.Length + 1)..].Trim();
    }
}
