using Chat.Server.History;

namespace Chat.Server.Messaging;

/// <summary>
/// Attachments in the change pipeline: a post claims its uploads in its own transaction (the rows read for it stay
/// held until the commit, so two posts can never claim one upload), and a delete lets its files go.
/// </summary>
public sealed partial class BatchPlan
{
    private readonly HashSet<string> _claimedAttachments = new(StringComparer.Ordinal);

    /// <summary>Uploads claimed by new messages, each with its message (whose sequence <see cref="Number"/> sets).</summary>
    public List<(AttachmentRecord Attachment, MessageRecord Message)> AttachmentsClaimed { get; } = [];

    /// <summary>Deleted messages that had attachments: their rows go in the transaction, their files after it.</summary>
    public List<string> AttachmentsDeleted { get; } = [];

    /// <summary>The post's uploads when each is the poster's and unclaimed (also by an earlier post of the batch); else null.</summary>
    private List<AttachmentRecord>? ClaimableAttachments(PostRequest post)
    {
        var attachments = new List<AttachmentRecord>(post.AttachmentIds.Length);
        foreach (var id in post.AttachmentIds)
        {
            if (_state.Attachments.GetValueOrDefault(id) is not { Room: null } attachment
                || attachment.OwnerId != post.Actor.Id || _claimedAttachments.Contains(id))
            {
                return null;
            }

            attachments.Add(attachment);
        }

        return attachments;
    }

    private void Claim(List<AttachmentRecord> attachments, MessageRecord message)
    {
        if (attachments.Count == 0)
        {
            return;
        }

        message.Attachments = MessageMapper.WriteAttachments(attachments);
        foreach (var attachment in attachments)
        {
            _claimedAttachments.Add(attachment.Id);
            AttachmentsClaimed.Add((attachment, message));
        }
    }

    private void ForgetAttachments(MessageRecord message)
    {
        if (message.Attachments is null)
        {
            return;
        }

        AttachmentsDeleted.AddRange(MessageMapper.ReadStoredAttachments(message.Attachments).Select(a => a.Id));
        message.Attachments = null;
    }
}
