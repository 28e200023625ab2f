using Chat.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Chat.Server.History;

/// <summary>
/// The history model, shared by every provider. Each provider derives its own context so that it keeps
/// its own migrations (SQL types differ) while the model and every query stay one.
/// </summary>
public abstract class ChatDbContext(DbContextOptions options) : DbContext(options)
{
    private static readonly ValueConverter<DateTime, long> Ticks = new(v => v.Ticks, v => new DateTime(v, DateTimeKind.Utc));

    private static readonly ValueConverter<DateTime?, long?> NullableTicks = new(
        v => v.HasValue ? v.Value.Ticks : null,
        v => v.HasValue ? new DateTime(v.Value, DateTimeKind.Utc) : null);

    public DbSet<MessageRecord> Messages => Set<MessageRecord>();
    public DbSet<RoomRecord> Rooms => Set<RoomRecord>();
    public DbSet<RoomEventRecord> RoomEvents => Set<RoomEventRecord>();
    public DbSet<ReactionRecord> Reactions => Set<ReactionRecord>();
    public DbSet<MemberRecord> Members => Set<MemberRecord>();
    public DbSet<BanRecord> Bans => Set<BanRecord>();
    public DbSet<UserRecord> Users => Set<UserRecord>();
    public DbSet<NotificationRecord> Notifications => Set<NotificationRecord>();
    public DbSet<AttachmentRecord> Attachments => Set<AttachmentRecord>();
    public DbSet<AttachmentChunkRecord> AttachmentChunks => Set<AttachmentChunkRecord>();
    public DbSet<BotRecord> Bots => Set<BotRecord>();
    public DbSet<WebhookRecord> Webhooks => Set<WebhookRecord>();
    public DbSet<WebhookCursorRecord> WebhookCursors => Set<WebhookCursorRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Explicit lower-case names keep the hand-written sequence SQL identical on SQLite and PostgreSQL.
        modelBuilder.Entity<RoomRecord>(room =>
        {
            room.ToTable("rooms");
            room.HasKey(r => r.Name);
            room.Property(r => r.Name).HasColumnName("name").HasMaxLength(ChatLimits.MaxRoomNameLength);
            room.Property(r => r.LastSequence).HasColumnName("last_sequence");
            room.Property(r => r.LastEventSequence).HasColumnName("last_event_sequence");
            room.Property(r => r.Kind).HasColumnName("kind").HasMaxLength(16).HasDefaultValue(RoomKinds.Public);
            room.Property(r => r.Title).HasColumnName("title").HasMaxLength(ChatLimits.MaxRoomTitleLength);
            room.Property(r => r.Topic).HasColumnName("topic").HasMaxLength(ChatLimits.MaxRoomTopicLength);
            room.Property(r => r.SlowModeSeconds).HasColumnName("slow_mode_seconds").HasDefaultValue(0);
            room.Property(r => r.MutedUntilTicks).HasColumnName("muted_until_ticks").HasDefaultValue(0L);
            room.Property(r => r.CreatedAt).HasColumnName("created_at_ticks").HasConversion(Ticks).HasDefaultValueSql("0");
            room.Property(r => r.MemberCount).HasColumnName("member_count").HasDefaultValue(0);
            room.Property(r => r.OwnerCount).HasColumnName("owner_count").HasDefaultValue(0);
        });

        modelBuilder.Entity<MemberRecord>(member =>
        {
            member.ToTable("room_members");
            member.HasKey(m => new { m.Room, m.UserId });
            member.Property(m => m.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            member.Property(m => m.UserId).HasColumnName("user_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            member.Property(m => m.UserName).HasColumnName("user_name").HasMaxLength(256);
            member.Property(m => m.Role).HasColumnName("role").HasMaxLength(16);
            member.Property(m => m.JoinedAt).HasColumnName("joined_at_ticks").HasConversion(Ticks);
            member.Property(m => m.MutedUntil).HasColumnName("muted_until_ticks").HasConversion(NullableTicks);
            member.Property(m => m.LastPostedAt).HasColumnName("last_posted_at_ticks").HasConversion(NullableTicks);
            member.Property(m => m.LastReadSequence).HasColumnName("last_read_sequence").HasDefaultValue(0L);
            member.Property(m => m.LastReadAt).HasColumnName("last_read_at_ticks").HasConversion(NullableTicks);
            // "My rooms" on every device.
            member.HasIndex(m => m.UserId);
        });

        modelBuilder.Entity<BanRecord>(ban =>
        {
            ban.ToTable("room_bans");
            ban.HasKey(b => new { b.Room, b.UserId });
            ban.Property(b => b.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            ban.Property(b => b.UserId).HasColumnName("user_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            ban.Property(b => b.UserName).HasColumnName("user_name").HasMaxLength(256);
            ban.Property(b => b.Until).HasColumnName("until_ticks").HasConversion(NullableTicks);
            ban.Property(b => b.Reason).HasColumnName("reason").HasMaxLength(ChatLimits.MaxBanReasonLength);
            ban.Property(b => b.BannedAt).HasColumnName("banned_at_ticks").HasConversion(Ticks);
        });

        modelBuilder.Entity<UserRecord>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id").HasMaxLength(ChatLimits.MaxUserIdLength);
            user.Property(u => u.Name).HasColumnName("name").HasMaxLength(256);
        });

        modelBuilder.Entity<MessageRecord>(message =>
        {
            message.ToTable("messages");
            message.HasKey(m => new { m.Room, m.Sequence });
            message.Property(m => m.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            message.Property(m => m.Sequence).HasColumnName("sequence");
            message.Property(m => m.Id).HasColumnName("id").HasMaxLength(32).IsRequired();
            message.Property(m => m.SenderId).HasColumnName("sender_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            message.Property(m => m.SenderName).HasColumnName("sender_name").HasMaxLength(256);
            message.Property(m => m.Content).HasColumnName("content");
            // UTC ticks: one portable integer column, and the Kind survives the round trip on every provider.
            message.Property(m => m.SentAt).HasColumnName("sent_at_ticks")
                .HasConversion(Ticks);
            message.Property(m => m.ClientMessageId).HasColumnName("client_message_id").HasMaxLength(ChatLimits.MaxClientMessageIdLength);
            message.HasIndex(m => new { m.SenderId, m.ClientMessageId }).IsUnique();
            message.Property(m => m.PostedEventSequence).HasColumnName("posted_event_sequence");
            message.Property(m => m.EventSequence).HasColumnName("event_sequence");
            message.Property(m => m.EditedAt).HasColumnName("edited_at_ticks").HasConversion(NullableTicks);
            message.Property(m => m.DeletedAt).HasColumnName("deleted_at_ticks").HasConversion(NullableTicks);
            message.Property(m => m.ReplyToSequence).HasColumnName("reply_to_sequence");
            message.Property(m => m.Mentions).HasColumnName("mentions");
            message.Property(m => m.Reactions).HasColumnName("reactions");
            message.Property(m => m.Attachments).HasColumnName("attachments");
            // Edits, deletes and reactions name a message by id; the change log reads posts by their change number.
            message.HasIndex(m => m.Id).IsUnique();
            message.HasIndex(m => new { m.Room, m.PostedEventSequence });
            // Unread counts subtract the deleted messages after a read pointer: few, whatever the room's size.
            message.HasIndex(m => new { m.Room, m.Sequence }, "ix_messages_deleted").HasFilter("deleted_at_ticks IS NOT NULL");
        });

        modelBuilder.Entity<NotificationRecord>(notification =>
        {
            notification.ToTable("notifications");
            notification.HasKey(n => new { n.UserId, n.Id });
            notification.Property(n => n.UserId).HasColumnName("user_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            notification.Property(n => n.Id).HasColumnName("id").HasMaxLength(32);
            notification.Property(n => n.Kind).HasColumnName("kind").HasMaxLength(16);
            notification.Property(n => n.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            notification.Property(n => n.MessageId).HasColumnName("message_id").HasMaxLength(32);
            notification.Property(n => n.MessageSequence).HasColumnName("message_sequence");
            notification.Property(n => n.FromUserId).HasColumnName("from_user_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            notification.Property(n => n.FromUserName).HasColumnName("from_user_name").HasMaxLength(256);
            notification.Property(n => n.Preview).HasColumnName("preview").HasMaxLength(Math.Max(ChatLimits.MaxReplyPreviewLength, ChatLimits.MaxRoomTitleLength));
            notification.Property(n => n.At).HasColumnName("at_ticks").HasConversion(Ticks);
            // Unread mentions of a user in a room; a deleted message's notifications.
            notification.HasIndex(n => new { n.UserId, n.Room, n.MessageSequence });
            notification.HasIndex(n => new { n.Room, n.MessageSequence });
        });

        modelBuilder.Entity<AttachmentRecord>(attachment =>
        {
            attachment.ToTable("attachments");
            attachment.HasKey(a => a.Id);
            attachment.Property(a => a.Id).HasColumnName("id").HasMaxLength(32);
            attachment.Property(a => a.OwnerId).HasColumnName("owner_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            attachment.Property(a => a.FileName).HasColumnName("file_name").HasMaxLength(ChatLimits.MaxAttachmentFileNameLength);
            attachment.Property(a => a.ContentType).HasColumnName("content_type").HasMaxLength(100);
            attachment.Property(a => a.Size).HasColumnName("size");
            attachment.Property(a => a.Width).HasColumnName("width");
            attachment.Property(a => a.Height).HasColumnName("height");
            attachment.Property(a => a.UploadedAt).HasColumnName("uploaded_at_ticks").HasConversion(Ticks);
            attachment.Property(a => a.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            attachment.Property(a => a.MessageSequence).HasColumnName("message_sequence");
            // A deleted message's files; the unposted ones that expire.
            attachment.HasIndex(a => new { a.Room, a.MessageSequence });
            attachment.HasIndex(a => a.UploadedAt, "ix_attachments_unposted").HasFilter("room IS NULL");
        });

        modelBuilder.Entity<BotRecord>(bot =>
        {
            bot.ToTable("bots");
            bot.HasKey(b => b.Id);
            bot.Property(b => b.Id).HasColumnName("id").HasMaxLength(32);
            bot.Property(b => b.UserId).HasColumnName("user_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            bot.Property(b => b.Name).HasColumnName("name").HasMaxLength(ChatLimits.MaxUserNameLength);
            bot.Property(b => b.KeyHash).HasColumnName("key_hash").HasMaxLength(32);
            bot.Property(b => b.CreatedBy).HasColumnName("created_by").HasMaxLength(ChatLimits.MaxUserIdLength);
            bot.Property(b => b.CreatedAt).HasColumnName("created_at_ticks").HasConversion(Ticks);
            bot.HasIndex(b => b.UserId).IsUnique();
            bot.HasIndex(b => b.KeyHash).IsUnique();
        });

        modelBuilder.Entity<AttachmentChunkRecord>(chunk =>
        {
            chunk.ToTable("attachment_chunks");
            chunk.HasKey(c => new { c.AttachmentId, c.Index });
            chunk.Property(c => c.AttachmentId).HasColumnName("attachment_id").HasMaxLength(32);
            chunk.Property(c => c.Index).HasColumnName("chunk_index");
            chunk.Property(c => c.Data).HasColumnName("data");
        });

        modelBuilder.Entity<RoomEventRecord>(roomEvent =>
        {
            roomEvent.ToTable("room_events");
            roomEvent.HasKey(e => new { e.Room, e.EventSequence });
            roomEvent.Property(e => e.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            roomEvent.Property(e => e.EventSequence).HasColumnName("event_sequence");
            roomEvent.Property(e => e.Type).HasColumnName("type").HasMaxLength(32);
            roomEvent.Property(e => e.At).HasColumnName("at_ticks").HasConversion(Ticks);
            roomEvent.Property(e => e.ActorId).HasColumnName("actor_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            roomEvent.Property(e => e.ActorName).HasColumnName("actor_name").HasMaxLength(256);
            roomEvent.Property(e => e.MessageSequence).HasColumnName("message_sequence");
            roomEvent.Property(e => e.Reaction).HasColumnName("reaction").HasMaxLength(ChatLimits.MaxReactionLength);
            roomEvent.Property(e => e.Payload).HasColumnName("payload");
        });

        modelBuilder.Entity<ReactionRecord>(reaction =>
        {
            reaction.ToTable("reactions");
            reaction.HasKey(r => new { r.Room, r.MessageSequence, r.Reaction, r.UserId });
            reaction.Property(r => r.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            reaction.Property(r => r.MessageSequence).HasColumnName("message_sequence");
            reaction.Property(r => r.Reaction).HasColumnName("reaction").HasMaxLength(ChatLimits.MaxReactionLength);
            reaction.Property(r => r.UserId).HasColumnName("user_id").HasMaxLength(ChatLimits.MaxUserIdLength);
            reaction.Property(r => r.AddedEventSequence).HasColumnName("added_event_sequence");
        });

        modelBuilder.Entity<WebhookRecord>(webhook =>
        {
            webhook.ToTable("webhooks");
            webhook.HasKey(w => w.Id);
            webhook.Property(w => w.Id).HasColumnName("id").HasMaxLength(32);
            webhook.Property(w => w.Url).HasColumnName("url").HasMaxLength(ChatLimits.MaxWebhookUrlLength);
            webhook.Property(w => w.Events).HasColumnName("events");
            webhook.Property(w => w.Rooms).HasColumnName("rooms");
            webhook.Property(w => w.Secret).HasColumnName("secret").HasMaxLength(64);
            webhook.Property(w => w.CreatedBy).HasColumnName("created_by").HasMaxLength(ChatLimits.MaxUserIdLength);
            webhook.Property(w => w.CreatedAt).HasColumnName("created_at_ticks").HasConversion(Ticks);
            webhook.Property(w => w.DisabledAt).HasColumnName("disabled_at_ticks").HasConversion(NullableTicks);
            webhook.Property(w => w.FailingSince).HasColumnName("failing_since_ticks").HasConversion(NullableTicks);
            webhook.Property(w => w.Failures).HasColumnName("failures");
            webhook.Property(w => w.NextAttemptAt).HasColumnName("next_attempt_at_ticks").HasConversion(NullableTicks);
            webhook.Property(w => w.LastError).HasColumnName("last_error").HasMaxLength(512);
            webhook.Property(w => w.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(64);
            webhook.Property(w => w.LeaseUntil).HasColumnName("lease_until_ticks").HasConversion(Ticks);
        });

        modelBuilder.Entity<WebhookCursorRecord>(cursor =>
        {
            cursor.ToTable("webhook_cursors");
            cursor.HasKey(c => new { c.WebhookId, c.Room });
            cursor.Property(c => c.WebhookId).HasColumnName("webhook_id").HasMaxLength(32);
            cursor.Property(c => c.Room).HasColumnName("room").HasMaxLength(ChatLimits.MaxRoomNameLength);
            cursor.Property(c => c.LastEventSequence).HasColumnName("last_event_sequence");
        });
    }
}

public sealed class SqliteChatDbContext(DbContextOptions<SqliteChatDbContext> options) : ChatDbContext(options);

/// <summary>Hands out the provider's derived context as the shared model.</summary>
internal sealed class ChatDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ChatDbContext>
    where TContext : ChatDbContext
{
    public ChatDbContext CreateDbContext() => inner.CreateDbContext();
}
