using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Notifications;
using Chat.Shared;

namespace Chat.Server.Messaging;

/// <summary>What changes mean for their readers: the poster's read pointer, and whom to notify.</summary>
public sealed partial class BatchPlan
{
    /// <summary>Each poster's read pointer moves to their last post in the room (a post is read by its sender).</summary>
    public Dictionary<(string Room, string UserId), long> ReadPointers { get; } = [];

    /// <summary>The poster's pointers in (room, user) order: every writer of pointers locks their rows in one order.</summary>
    public List<(string Room, string UserId, long Sequence)> ReadPointersInOrder() =>
        [.. ReadPointers.OrderBy(p => p.Key.Room, StringComparer.Ordinal).ThenBy(p => p.Key.UserId, StringComparer.Ordinal)
            .Select(p => (p.Key.Room, p.Key.UserId, p.Value))];

    /// <summary>When the batch happens.</summary>
    public DateTime Now => _now;

    /// <summary>Notifications to store with the batch.</summary>
    public List<NotificationRecord> Notifications { get; } = [];

    /// <summary>
    /// A post notifies each user it concerns once, the first of: mentioned, replied to, the other side of a direct
    /// room. Never the sender, and never someone who may not read the room.
    /// </summary>
    private void PlanNotifications(Change posted, MessageRecord message)
    {
        var recipients = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var userId in MessageMapper.ReadMentions(message.Mentions))
        {
            if (MayRead(message.Room, userId))
            {
                recipients.TryAdd(userId, NotificationKinds.Mention);
            }
        }

        if (_state.Find(message.Room, message.ReplyToSequence) is { DeletedAt: null } target && MayRead(message.Room, target.SenderId))
        {
            recipients.TryAdd(target.SenderId, NotificationKinds.Reply);
        }

        if (Rooms[message.Room].Kind == RoomKinds.Direct)
        {
            foreach (var member in _state.RoomStates[message.Room].Members.Values)
            {
                if (member is not null)
                {
                    recipients.TryAdd(member.UserId, NotificationKinds.Direct);
                }
            }
        }

        recipients.Remove(message.SenderId);
        foreach (var (userId, kind) in recipients)
        {
            Notify(posted, userId, kind, message.Id, message.Sequence, MessageMapper.Preview(message));
        }
    }

    private void NotifyAdded(Change added, RoomRecord room)
    {
        if (added.Member is { } member && member.UserId != added.Request.Actor.Id)
        {
            Notify(added, member.UserId, NotificationKinds.Added, messageId: null, sequence: null, room.Title ?? room.Name);
        }
    }

    private void Notify(Change change, string userId, string kind, string? messageId, long? sequence, string preview)
    {
        var notification = new NotificationRecord
        {
            UserId = userId,
            Id = NotificationIds.Next(_now),
            Kind = kind,
            Room = change.Room,
            MessageId = messageId,
            MessageSequence = sequence,
            FromUserId = change.Request.Actor.Id,
            FromUserName = change.Request.Actor.Name,
            Preview = preview,
            At = _now,
        };
        change.Notifications.Add(notification);
        Notifications.Add(notification);
    }

    private void MoveReadPointer(MessageRecord message)
    {
        var key = (message.Room, message.SenderId);
        ReadPointers[key] = Math.Max(ReadPointers.GetValueOrDefault(key), message.Sequence);
    }

    /// <summary>
    /// Anyone not banned from it may read a public room (bans of the people a post names are read with the batch); a
    /// private or direct one only its members (known once the rules are read).
    /// </summary>
    private bool MayRead(string room, string userId) =>
        Rooms[room].Kind is null or RoomKinds.Public
            ? _admins.IsAdmin(userId) || !RoomRules.IsBanned(_state.NamedBans.GetValueOrDefault((room, userId)), _now)
            : _state.RulesLoaded && (_state.RoomStates[room].MemberOf(userId) is not null || _admins.IsAdmin(userId));
}
