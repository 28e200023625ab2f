using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SearchAttachments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "attachments",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "attachment_chunks",
                columns: table => new
                {
                    attachment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    chunk_index = table.Column<int>(type: "integer", nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachment_chunks", x => new { x.attachment_id, x.chunk_index });
                });

            migrationBuilder.CreateTable(
                name: "attachments",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    owner_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    file_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    content_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    width = table.Column<int>(type: "integer", nullable: true),
                    height = table.Column<int>(type: "integer", nullable: true),
                    uploaded_at_ticks = table.Column<long>(type: "bigint", nullable: false),
                    room = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    message_sequence = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachments", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_attachments_room_message_sequence",
                table: "attachments",
                columns: new[] { "room", "message_sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_attachments_unposted",
                table: "attachments",
                column: "uploaded_at_ticks",
                filter: "room IS NULL");

            // Full-text search: the messages' current text as a tsvector that the row keeps in step itself, and a GIN
            // index over it. 'simple' neither stems nor drops stop words, so both stores find the same words.
            migrationBuilder.Sql("""
                ALTER TABLE messages ADD COLUMN search_vector tsvector
                    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED;
                CREATE INDEX ix_messages_search ON messages USING GIN (search_vector);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE messages DROP COLUMN search_vector;");

            migrationBuilder.DropTable(
                name: "attachment_chunks");

            migrationBuilder.DropTable(
                name: "attachments");

            migrationBuilder.DropColumn(
                name: "attachments",
                table: "messages");
        }
    }
}
