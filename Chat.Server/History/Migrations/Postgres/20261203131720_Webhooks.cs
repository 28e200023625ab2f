using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_cursors",
                columns: table => new
                {
                    webhook_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    room = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    last_event_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_cursors", x => new { x.webhook_id, x.room });
                });

            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    events = table.Column<string>(type: "text", nullable: false),
                    rooms = table.Column<string>(type: "text", nullable: true),
                    secret = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at_ticks = table.Column<long>(type: "bigint", nullable: false),
                    disabled_at_ticks = table.Column<long>(type: "bigint", nullable: true),
                    failing_since_ticks = table.Column<long>(type: "bigint", nullable: true),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at_ticks = table.Column<long>(type: "bigint", nullable: true),
                    last_error = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    lease_owner = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    lease_until_ticks = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhooks", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_cursors");

            migrationBuilder.DropTable(
                name: "webhooks");
        }
    }
}
