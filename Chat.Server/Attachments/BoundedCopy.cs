namespace Chat.Server.Attachments;

internal static class BoundedCopy
{
    /// <summary>Copies at most <paramref name="maxBytes"/>; one byte more throws before it is written anywhere.</summary>
    public static async Task<long> CopyAsync(Stream source, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81_920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new AttachmentTooLargeException(maxBytes);
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return total;
    }
}
