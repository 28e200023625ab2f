using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>
/// The history model, shared by every provider. Each provider derives its own context so that it keeps
/// its own migrations (SQL types differ) while the model and every query stay one.
/// </summary>
public abstract class ChatDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<MessageRecord> Messages => Set<MessageRecord>();
    public DbSet<RoomRecord> Rooms => Set<RoomRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Explicit lower-case names keep the hand-written sequence SQL identical on SQLite and PostgreSQL.
        modelBuilder.Entity<RoomRecord>(room =>
        {
            room.ToTable("rooms");
            room.HasKey(r => r.Name);
            room.Property(r => r.Name).HasColumnName("name").HasMaxLength(64);
            room.Property(r => r.LastSequence).HasColumnName("last_sequence");
        });

        modelBuilder.Entity<MessageRecord>(message =>
        {
            message.ToTable("messages");
            message.HasKey(m => new { m.Room, m.Sequence });
            message.Property(m => m.Room).HasColumnName("room").HasMaxLength(64);
            message.Property(m => m.Sequence).HasColumnName("sequence");
            message.Property(m => m.Id).HasColumnName("id").HasMaxLength(32).IsRequired();
            message.Property(m => m.SenderId).HasColumnName("sender_id").HasMaxLength(256);
            message.Property(m => m.SenderName).HasColumnName("sender_name").HasMaxLength(256);
            message.Property(m => m.Content).HasColumnName("content");
            // UTC ticks: one portable integer column, and the Kind survives the round trip on every provider.
            message.Property(m => m.SentAt).HasColumnName("sent_at_ticks")
                .HasConversion(v => v.Ticks, v => new DateTime(v, DateTimeKind.Utc));
            message.Property(m => m.ClientMessageId).HasColumnName("client_message_id").HasMaxLength(128);
            message.HasIndex(m => new { m.SenderId, m.ClientMessageId }).IsUnique();
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
