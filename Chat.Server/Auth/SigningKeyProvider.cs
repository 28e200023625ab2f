using System.Security.Cryptography;
using System.Text;
using Chat.Server.History;
using Chat.Server.Observability;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Server.Auth;

/// <summary>
/// The guest-token key: <c>Auth:SigningKey</c> when set; otherwise a random 512-bit key generated at first start
/// and kept in a file beside the database, so tokens survive restarts and every node on that file shares it.
/// </summary>
public sealed class SigningKeyProvider
{
    public const string KeyFileName = "chat.signing-key";
    private const int MinimumKeyBytes = 32;

    public SigningKeyProvider(IOptions<AuthOptions> options, IConfiguration configuration, IHostEnvironment environment, ILogger<SigningKeyProvider> logger)
    {
        var configured = options.Value.SigningKey;
        var bytes = string.IsNullOrEmpty(configured)
            ? LoadOrCreate(Path.Combine(HistoryExtensions.DataDirectory(configuration, environment), KeyFileName), logger)
            : Decode(configured);
        Key = new SymmetricSecurityKey(bytes);
    }

    public SymmetricSecurityKey Key { get; }

    public static byte[] Decode(string configured)
    {
        var bytes = TryFromBase64(configured) ?? Encoding.UTF8.GetBytes(configured);
        if (bytes.Length < MinimumKeyBytes)
        {
            throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions),
                ["Auth:SigningKey must be at least 256 bits (32 bytes, as text or base64)."]);
        }

        return bytes;
    }

    private static byte[]? TryFromBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) && written >= MinimumKeyBytes ? buffer[..written] : null;
    }

    private static byte[] LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        var key = RandomNumberGenerator.GetBytes(64);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            // Two nodes starting at once on one data directory: the first key written wins, the other adopts it.
            File.Move(temporary, path, overwrite: false);
            ChatLog.SigningKeyGenerated(logger, path);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
    }
}
