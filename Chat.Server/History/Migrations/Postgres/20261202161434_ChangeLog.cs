using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ChangeLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "last_event_sequence",
                table: "rooms",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "deleted_at_ticks",
                table: "messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "edited_at_ticks",
                table: "messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "event_sequence",
                table: "messages",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "mentions",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "posted_event_sequence",
                table: "messages",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "reactions",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "reply_to_sequence",
                table: "messages",
                type: "bigint",
                nullable: true);

            // Before v2 every change was a post: each message's change number is its sequence, so an upgraded room
            // replays its whole history through GetEventsSince and its next change follows its last message.
            migrationBuilder.Sql("UPDATE messages SET posted_event_sequence = sequence, event_sequence = sequence;");
            migrationBuilder.Sql("UPDATE rooms SET last_event_sequence = last_sequence;");

            migrationBuilder.CreateTable(
                name: "reactions",
                columns: table => new
                {
                    room = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    message_sequence = table.Column<long>(type: "bigint", nullable: false),
                    reaction = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    user_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    added_event_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reactions", x => new { x.room, x.message_sequence, x.reaction, x.user_id });
                });

            migrationBuilder.CreateTable(
                name: "room_events",
                columns: table => new
                {
                    room = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    event_sequence = table.Column<long>(type: "bigint", nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    at_ticks = table.Column<long>(type: "bigint", nullable: false),
                    actor_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    actor_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    message_sequence = table.Column<long>(type: "bigint", nullable: true),
                    reaction = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_events", x => new { x.room, x.event_sequence });
                });

            migrationBuilder.CreateIndex(
                name: "IX_messages_id",
                table: "messages",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_messages_room_posted_event_sequence",
                table: "messages",
                columns: new[] { "room", "posted_event_sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "reactions");

            migrationBuilder.DropTable(
                name: "room_events");

            migrationBuilder.DropIndex(
                name: "IX_messages_id",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "IX_messages_room_posted_event_sequence",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "last_event_sequence",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "deleted_at_ticks",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "edited_at_ticks",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "event_sequence",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "mentions",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "posted_event_sequence",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "reactions",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "reply_to_sequence",
                table: "messages");
        }
    }
}
