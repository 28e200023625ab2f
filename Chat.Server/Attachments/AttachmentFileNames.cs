using System.Globalization;
using System.Text;
using Chat.Shared;

namespace Chat.Server.Attachments;

/// <summary>
/// The name an upload is kept and offered under: the name the client gave, without any folder, without control
/// and invisible formatting characters (a right-to-left override, U+202E, can make an <c>.exe</c> look like a <c>.png</c>), at
/// most <see cref="ChatLimits.MaxAttachmentFileNameLength"/> long with its extension kept.
/// </summary>
public static class AttachmentFileNames
{
    public const string Fallback = "file";

    /// <summary>Longest extension kept whole when a name is shortened; a longer "extension" is just part of the name.</summary>
    private const int MaxExtensionLength = 16;

    public static string Clean(string? uploaded)
    {
        var name = uploaded ?? string.Empty;
        // Browsers send the bare name, but old ones (and scripts) send C:\Users\...\photo.png or a relative path.
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];

        var kept = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                kept.Append(c).Append(name[++i]);
                continue;
            }

            if (char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                continue;
            }

            kept.Append(c);
        }

        name = kept.ToString().Trim();
        if (name.Trim('.').Length == 0)
        {
            return Fallback;
        }

        return Shorten(name, ChatLimits.MaxAttachmentFileNameLength);
    }

    private static string Shorten(string name, int max)
    {
        if (name.Length <= max)
        {
            return name;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= MaxExtensionLength ? name[dot..] : string.Empty;
        var stem = name[..(name.Length - extension.Length)];
        var length = max - extension.Length;
        // Never cut a character in half.
        if (char.IsHighSurrogate(stem[length - 1]))
        {
            length--;
        }

        return stem[..length].TrimEnd() + extension;
    }
}
