using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Chat.Server.Auth;
using Chat.Shared;

namespace Chat.Server.Attachments;

/// <summary>
/// Signed attachment URLs: <c>/api/attachments/{id}?expires={unix seconds}&amp;sig={HMAC}</c>. They are handed only to
/// people who may read the attachment's room, signed again on every read. The expiry is rounded up to the next
/// <see cref="Granularity"/>, so the same file read twice within minutes has the same URL and browsers cache it.
/// </summary>
public sealed class AttachmentLinks
{
    private static readonly TimeSpan Granularity = TimeSpan.FromMinutes(10);
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public AttachmentLinks(SigningKeyProvider signingKey, TimeProvider time)
    {
        // A key of its own, derived from the token key: a URL signature can never pass for anything else.
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey.Key.Key, 32, info: "chat attachment urls"u8.ToArray());
        _time = time;
    }

    public string UrlFor(string attachmentId)
    {
        var earliest = _time.GetUtcNow() + ChatLimits.AttachmentUrlLifetime;
        var expires = (earliest.ToUnixTimeSeconds() + (long)Granularity.TotalSeconds - 1) / (long)Granularity.TotalSeconds * (long)Granularity.TotalSeconds;
        return $"{ChatRoutes.Attachments}/{attachmentId}?expires={expires.ToString(CultureInfo.InvariantCulture)}&sig={Sign(attachmentId, expires)}";
    }

    /// <summary>Whether <paramref name="signature"/> was made here for this attachment and has not expired.</summary>
    public bool IsValid(string attachmentId, long expires, string? signature)
    {
        if (signature is null || DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(expires, 0, 253402300799)) < _time.GetUtcNow())
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(attachmentId, expires));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private string Sign(string attachmentId, long expires)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{attachmentId}\n{expires.ToString(CultureInfo.InvariantCulture)}"));
        return Base64Url.EncodeToString(mac);
    }
}
