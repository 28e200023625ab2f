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

    public const string TooShort = "Auth:SigningKey must be at least 256 bits (32 bytes, as text or base64).";

    public static bool IsStrongEnough(string configured) => DecodeAny(configured).Length >= MinimumKeyBytes;

    public static byte[] Decode(string configured)
    {
        var bytes = DecodeAny(configured);
        return bytes.Length >= MinimumKeyBytes
            ? bytes
            : throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions), [TooShort]);
    }

    private static byte[] DecodeAny(string configured) => TryFromBase64(configured) ?? Encoding.UTF8.GetBytes(configured);

    private static byte[]? TryFromBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) && written >= MinimumKeyBytes ? buffer[..written] : null;
    }

    private static byte[] LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            return ReadKeyFile(path);
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
            return ReadKeyFile(path);
        }
    }

    private static byte[] ReadKeyFile(string path)
    {
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return key.Length >= MinimumKeyBytes
            ? key
            : throw new InvalidOperationException($"The signing key in {path} is shorter than 256 bits; delete the file to generate a new key.");
    }
}
