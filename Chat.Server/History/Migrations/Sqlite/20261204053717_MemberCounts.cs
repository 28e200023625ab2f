using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MemberCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "member_count",
                table: "rooms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "owner_count",
                table: "rooms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // The counts of the rooms stored so far; from here on the triggers keep them, whichever statement writes a member.
            migrationBuilder.Sql(
                "UPDATE rooms SET member_count = (SELECT COUNT(*) FROM room_members m WHERE m.room = rooms.name), " +
                "owner_count = (SELECT COUNT(*) FROM room_members m WHERE m.room = rooms.name AND m.role = 'owner');");
            migrationBuilder.Sql(
                "CREATE TRIGGER room_members_counted_on_insert AFTER INSERT ON room_members BEGIN " +
                "UPDATE rooms SET member_count = member_count + 1, owner_count = owner_count + (NEW.role = 'owner') WHERE name = NEW.room; END;");
            migrationBuilder.Sql(
                "CREATE TRIGGER room_members_counted_on_delete AFTER DELETE ON room_members BEGIN " +
                "UPDATE rooms SET member_count = member_count - 1, owner_count = owner_count - (OLD.role = 'owner') WHERE name = OLD.room; END;");
            migrationBuilder.Sql(
                "CREATE TRIGGER room_members_counted_on_role AFTER UPDATE OF role ON room_members WHEN OLD.role IS NOT NEW.role BEGIN " +
                "UPDATE rooms SET owner_count = owner_count + (NEW.role = 'owner') - (OLD.role = 'owner') WHERE name = NEW.room; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER room_members_counted_on_insert;");
            migrationBuilder.Sql("DROP TRIGGER room_members_counted_on_delete;");
            migrationBuilder.Sql("DROP TRIGGER room_members_counted_on_role;");

            migrationBuilder.DropColumn(
                name: "member_count",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "owner_count",
                table: "rooms");
        }
    }
}
