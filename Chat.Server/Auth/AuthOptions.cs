using System.ComponentModel.DataAnnotations;

namespace Chat.Server.Auth;

public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>Guest-token signing key (base64 or text, at least 256 bits). Generated and kept beside the database when empty.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Guest logins at <c>POST /api/auth/token</c>. Defaults to on, unless an external <see cref="Authority"/> is configured.</summary>
    public bool? GuestTokens { get; set; }

    /// <summary>An external OpenID Connect issuer whose tokens the hub accepts.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience of tokens: the external issuer's, or the one guest tokens carry.</summary>
    public string Audience { get; set; } = "chat";

    /// <summary>The issuer guest tokens carry.</summary>
    public string Issuer { get; set; } = "chat";

    /// <summary>How long a guest token is valid.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Tolerated clock difference when validating lifetimes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool GuestTokensEnabled => GuestTokens ?? string.IsNullOrEmpty(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Checked here, not only where the key is first used, so a weak key stops the server at start.
        if (!string.IsNullOrEmpty(SigningKey) && !SigningKeyProvider.IsStrongEnough(SigningKey))
        {
            yield return new ValidationResult(SigningKeyProvider.TooShort, [nameof(SigningKey)]);
        }
    }
}
