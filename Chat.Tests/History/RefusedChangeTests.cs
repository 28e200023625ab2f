using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chat.Tests.History;

/// <summary>
/// A change the store itself refuses (here a trigger; in life a constraint or a value the store cannot keep) fails
/// alone with <c>invalid_request</c>: the changes that shared its group commit are stored, numbered without gaps,
/// delivered and acknowledged. It once failed the whole batch, five times over, and answered everyone <c>unavailable</c>.
/// </summary>
public abstract class RefusedChangeTests
{
    private const int Posters = 5;
    private const int PostsEach = 20;

    protected abstract ChatServer Server { get; }

    /// <summary>Makes the server's own store refuse every message whose content is <c>poison</c> (again: a no-op).</summary>
    protected abstract Task RefusePoisonAsync();

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AChangeTheStoreRefusesFailsAloneAndTheRestOfItsGroupCommitIsStored(ChatProtocol protocol)
    {
        await RefusePoisonAsync();
        var room = TestDefaults.UniqueRoom("refused");
        await using var watcher = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("watcher"), protocol);
        await watcher.JoinRoom(room);
        var posters = await Task.WhenAll(Enumerable.Range(0, Posters).Select(i => Server.ConnectWelcomedAsync(TestDefaults.UniqueUser($"p{i}"), protocol)));
        try
        {
            await Task.WhenAll(posters.Select(p => p.JoinRoom(room)));
            var poisoner = posters[Posters / 2];

            // Every poster sends its whole burst at once (the server takes a connection's calls one at a time), and the
            // poison goes in the middle of one of them: it is queued beside the other posters' messages of that moment.
            var sends = posters.SelectMany(p => Enumerable.Range(0, PostsEach).Select(i => (Poster: p, Content: $"{p.UserName} {i}"))).ToList();
            var acks = new List<Task<ChatMessage>>();
            Task<string>? refusal = null;
            foreach (var (poster, content) in sends)
            {
                if (poster == poisoner && content.EndsWith($" {PostsEach / 2}", StringComparison.Ordinal))
                {
                    refusal = Infrastructure.Conversations.Rejected(() => poisoner.SendMessage(room, "poison"), ChatErrorCodes.InvalidRequest);
                }

                acks.Add(poster.SendMessage(room, content));
            }

            var stored = await Task.WhenAll(acks);
            await refusal!;
            stored.Select(m => m.Content).Should().Equal(sends.Select(s => s.Content), "every other post is acknowledged as sent");
            var after = await poisoner.SendMessage(room, "after the refusal");

            var total = sends.Count + 1;
            var numbers = Enumerable.Range(1, total).Select(i => (long)i).ToList();
            var history = await watcher.GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage);
            history.Select(m => m.Sequence).Should().Equal(numbers, "a refused change takes no number");
            history.Select(m => m.Content).Should().BeEquivalentTo([.. sends.Select(s => s.Content), after.Content]);
            (await watcher.ReadAllEventsAsync(room)).Select(e => e.EventSequence).Should().Equal(numbers);
            var delivered = await watcher.Messages.WaitForCountAsync(total, m => m.Room == room);
            delivered.Select(m => m.Sequence).Should().Equal(numbers, "the room hears every stored post, in order, and not the refused one");
            Server.Logs.Entries.Where(e => e.EventId.Name == "ChangeRefused" && e.Message.Contains(poisoner.UserId, StringComparison.Ordinal))
                .Should().ContainSingle("the refusal is logged once");
        }
        finally
        {
            await Task.WhenAll(posters.Select(p => p.DisposeAsync().AsTask()));
        }
    }
}

public sealed class SqliteRefusedChangeTests(StoredTextServerFixture fixture) : RefusedChangeTests, IClassFixture<StoredTextServerFixture>
{
    protected override ChatServer Server => fixture.Server;

    /// <summary>A trigger's <c>RAISE(ABORT)</c>: SQLite's SQLITE_CONSTRAINT_TRIGGER.</summary>
    protected override async Task RefusePoisonAsync()
    {
        await using var store = new SqliteConnection($"Data Source={Path.Combine(Server.DataDirectory, "chat.db")};Pooling=False");
        await store.OpenAsync().WithTimeout();
        await using var command = store.CreateCommand();
        command.CommandText =
            "CREATE TRIGGER IF NOT EXISTS refuse_poison BEFORE INSERT ON messages WHEN NEW.content = 'poison' " +
            "BEGIN SELECT RAISE(ABORT, 'refused by test'); END;";
        await command.ExecuteNonQueryAsync().WithTimeout();
    }
}

public sealed class PostgresRefusedChangeTests(PostgresStoredTextServerFixture fixture) : RefusedChangeTests, IClassFixture<PostgresStoredTextServerFixture>
{
    protected override ChatServer Server => fixture.Server;

    /// <summary>A trigger that raises <c>22023</c> (invalid_parameter_value), of class 22 "data exception".</summary>
    protected override async Task RefusePoisonAsync()
    {
        await using var store = new NpgsqlConnection(fixture.Postgres.ConnectionString("chat"));
        await store.OpenAsync().WithTimeout();
        await using var command = store.CreateCommand();
        command.CommandText =
            "CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
            "IF NEW.content = 'poison' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$; " +
            "CREATE OR REPLACE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison();";
        await command.ExecuteNonQueryAsync().WithTimeout();
    }
}
