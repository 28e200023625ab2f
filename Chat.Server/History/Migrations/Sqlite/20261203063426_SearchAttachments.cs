using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "attachment_chunks",
                columns: table => new
                {
                    attachment_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    chunk_index = table.Column<int>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachment_chunks", x => new { x.attachment_id, x.chunk_index });
                });

            migrationBuilder.CreateTable(
                name: "attachments",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    owner_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    width = table.Column<int>(type: "INTEGER", nullable: true),
                    height = table.Column<int>(type: "INTEGER", nullable: true),
                    uploaded_at_ticks = table.Column<long>(type: "INTEGER", nullable: false),
                    room = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    message_sequence = table.Column<long>(type: "INTEGER", nullable: true)
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

            // Full-text search: an FTS5 index over the messages' current text. New messages are indexed after their commit,
            // in large batches, by the search indexer (Search/SqliteSearchEngine), up to search_progress.indexed_through,
            // and every search catches the index up first: posting does not pay for tokenizing. An edit or a delete of an
            // indexed message updates the index by trigger in its own transaction; one not indexed yet is indexed as it
            // is by then. secure-delete takes a deleted message's words out of the index at once, not at a later merge.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE messages_fts USING fts5(
                    content, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
                INSERT INTO messages_fts(messages_fts, rank) VALUES('secure-delete', 1);
                CREATE TABLE search_progress (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
                CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
                    WHEN old.rowid <= (SELECT indexed_through FROM search_progress) BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
                END;
                CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
                    WHEN old.content IS NOT new.content AND old.rowid <= (SELECT indexed_through FROM search_progress) BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
                    INSERT INTO messages_fts(rowid, content) VALUES (new.rowid, new.content);
                END;
                INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
                INSERT INTO search_progress (id, indexed_through) SELECT 1, COALESCE(MAX(rowid), 0) FROM messages;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER messages_fts_delete;
                DROP TRIGGER messages_fts_update;
                DROP TABLE search_progress;
                DROP TABLE messages_fts;
                """);

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
