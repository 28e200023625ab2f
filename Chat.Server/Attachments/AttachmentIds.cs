namespace Chat.Server.Attachments;

/// <summary>Attachment ids: 32 random lower-case hex digits, unguessable and safe as a file name.</summary>
public static class AttachmentIds
{
    public static string New() => Guid.NewGuid().ToString("N");

    public static bool IsValid(string? id) =>
        id is { Length: 32 } && id.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    public static void Ensure(string id)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException("not an attachment id", nameof(id));
        }
    }
}
