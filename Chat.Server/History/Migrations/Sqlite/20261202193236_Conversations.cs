using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Conversations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "created_at_ticks",
                table: "rooms",
                type: "INTEGER",
                nullable: false,
                defaultValueSql: "0");

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "rooms",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "public");

            migrationBuilder.AddColumn<long>(
                name: "muted_until_ticks",
                table: "rooms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "slow_mode_seconds",
                table: "rooms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "title",
                table: "rooms",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "topic",
                table: "rooms",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payload",
                table: "room_events",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "room_bans",
                columns: table => new
                {
                    room = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    until_ticks = table.Column<long>(type: "INTEGER", nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    banned_at_ticks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_bans", x => new { x.room, x.user_id });
                });

            migrationBuilder.CreateTable(
                name: "room_members",
                columns: table => new
                {
                    room = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    joined_at_ticks = table.Column<long>(type: "INTEGER", nullable: false),
                    muted_until_ticks = table.Column<long>(type: "INTEGER", nullable: true),
                    last_posted_at_ticks = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_members", x => new { x.room, x.user_id });
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_room_members_user_id",
                table: "room_members",
                column: "user_id");

            // Rooms made before conversations were created by their first message; everyone who wrote is a known user.
            migrationBuilder.Sql("UPDATE rooms SET created_at_ticks = COALESCE((SELECT MIN(m.sent_at_ticks) FROM messages m WHERE m.room = rooms.name), 0);");
            migrationBuilder.Sql("INSERT INTO users (id, name) SELECT sender_id, MAX(sender_name) FROM messages GROUP BY sender_id;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "room_bans");

            migrationBuilder.DropTable(
                name: "room_members");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropColumn(
                name: "created_at_ticks",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "muted_until_ticks",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "slow_mode_seconds",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "title",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "topic",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "payload",
                table: "room_events");
        }
    }
}
