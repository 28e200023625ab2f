using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReadState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "last_read_at_ticks",
                table: "room_members",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "last_read_sequence",
                table: "room_members",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Before read pointers existed nothing was tracked: at the upgrade, every member has read their rooms.
            migrationBuilder.Sql("UPDATE room_members SET last_read_sequence = COALESCE((SELECT r.last_sequence FROM rooms r WHERE r.name = room_members.room), 0);");

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    room = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    message_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    message_sequence = table.Column<long>(type: "INTEGER", nullable: true),
                    from_user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    from_user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    preview = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    at_ticks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notifications", x => new { x.user_id, x.id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_messages_deleted",
                table: "messages",
                columns: new[] { "room", "sequence" },
                filter: "deleted_at_ticks IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_room_message_sequence",
                table: "notifications",
                columns: new[] { "room", "message_sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_notifications_user_id_room_message_sequence",
                table: "notifications",
                columns: new[] { "user_id", "room", "message_sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropIndex(
                name: "ix_messages_deleted",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "last_read_at_ticks",
                table: "room_members");

            migrationBuilder.DropColumn(
                name: "last_read_sequence",
                table: "room_members");
        }
    }
}
