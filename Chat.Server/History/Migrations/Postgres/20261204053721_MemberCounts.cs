using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chat.Server.History.Migrations.Postgres
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
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "owner_count",
                table: "rooms",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // The counts of the rooms stored so far; from here on the triggers keep them, whichever statement writes a member.
            migrationBuilder.Sql(
                "UPDATE rooms SET member_count = (SELECT COUNT(*) FROM room_members m WHERE m.room = rooms.name), " +
                "owner_count = (SELECT COUNT(*) FROM room_members m WHERE m.room = rooms.name AND m.role = 'owner');");
            migrationBuilder.Sql(
                """
                CREATE FUNCTION count_room_members() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        UPDATE rooms SET member_count = member_count + 1, owner_count = owner_count + (NEW.role = 'owner')::int WHERE name = NEW.room;
                    ELSIF TG_OP = 'DELETE' THEN
                        UPDATE rooms SET member_count = member_count - 1, owner_count = owner_count - (OLD.role = 'owner')::int WHERE name = OLD.room;
                    ELSIF NEW.role IS DISTINCT FROM OLD.role THEN
                        UPDATE rooms SET owner_count = owner_count + (NEW.role = 'owner')::int - (OLD.role = 'owner')::int WHERE name = NEW.room;
                    END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql(
                "CREATE TRIGGER room_members_counted AFTER INSERT OR DELETE OR UPDATE OF role ON room_members " +
                "FOR EACH ROW EXECUTE FUNCTION count_room_members();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER room_members_counted ON room_members;");
            migrationBuilder.Sql("DROP FUNCTION count_room_members();");

            migrationBuilder.DropColumn(
                name: "member_count",
                table: "rooms");

            migrationBuilder.DropColumn(
                name: "owner_count",
                table: "rooms");
        }
    }
}
