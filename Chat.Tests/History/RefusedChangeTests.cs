using System.Text.RegularExpressions;
using Chat.Server.History;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.History;

/// <summary>
/// A change the store itself refuses (here a trigger; in life a constraint or a value the store cannot keep) fails
/// alone with <c>invalid_request</c>: the changes that shared its group commit are stored, numbered without gaps,
/// delivered and acknowledged. It once failed the whole batch, five times over, and answered everyone <c>unavailable</c>.
/// </summary>
public abstract partial class RefusedChangeTests
{
    private const int Posters = 5;
    private const int PostsEach = 20;

    protected abstract ChatServer Server { get; }

    /// <summary>Makes the server's own store refuse every message whose content is <c>poison</c> (again: a no-op).</summary>
    protected abstract string RefusePoisonSql { get; }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AChangeTheStoreRefusesFailsAloneAndTheRestOfItsGroupCommitIsStored(ChatProtocol protocol)
    {
        await ExecuteAsync(RefusePoisonSql);
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

    /// <summary>
    /// A store that cannot take any change (here its messages table is away) is not a refusal of one change: the batch
    /// is retried whole and then answered <c>unavailable</c>, never split into retries of its changes one by one.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AStoreThatIsDownFailsTheWholeBatchUnavailableWithoutSplittingIt(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("down");
        var posters = await Task.WhenAll(Enumerable.Range(0, Posters).Select(i => Server.ConnectWelcomedAsync(TestDefaults.UniqueUser($"d{i}"), protocol)));
        try
        {
            await Task.WhenAll(posters.Select(p => p.JoinRoom(room)));
            var logged = Server.Logs.Entries.Count;
            await ExecuteAsync("ALTER TABLE messages RENAME TO messages_away");
            try
            {
                await Task.WhenAll(posters.Select(p => Infrastructure.Conversations.Rejected(() => p.SendMessage(room, "while down"), ChatErrorCodes.Unavailable)));
            }
            finally
            {
                await ExecuteAsync("ALTER TABLE messages_away RENAME TO messages");
            }

            var failures = Server.Logs.Entries.Skip(logged).Where(e => e.EventId.Name == "CommitFailed")
                .Select(e => CommitFailedPattern().Match(e.Message)).Select(m => (Count: int.Parse(m.Groups[1].Value), Attempt: int.Parse(m.Groups[2].Value))).ToList();
            failures.Where(f => f.Attempt == 1).Sum(f => f.Count).Should().Be(Posters, "each batch is tried whole, none of it again as a part");
            failures.Should().HaveCount(5 * failures.Count(f => f.Attempt == 1), "each batch is tried five times, as before");
            Server.Logs.Entries.Skip(logged).Should().NotContain(e => e.EventId.Name == "ChangeRefused");
            (await posters[0].SendMessage(room, "back")).Sequence.Should().Be(1, "the failed batches took no number");
        }
        finally
        {
            await Task.WhenAll(posters.Select(p => p.DisposeAsync().AsTask()));
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var store = await Server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        await store.Database.ExecuteSqlRawAsync(sql).WithTimeout();
    }

    [GeneratedRegex(@"commit of (\d+) change\(s\) failed; attempt (\d+)")]
    private static partial Regex CommitFailedPattern();
}

public sealed class SqliteRefusedChangeTests(StoredTextServerFixture fixture) : RefusedChangeTests, IClassFixture<StoredTextServerFixture>
{
    protected override ChatServer Server => fixture.Server;

    /// <summary>A trigger's <c>RAISE(ABORT)</c>: SQLite's SQLITE_CONSTRAINT_TRIGGER.</summary>
    protected override string RefusePoisonSql =>
        "CREATE TRIGGER IF NOT EXISTS refuse_poison BEFORE INSERT ON messages WHEN NEW.content = 'poison' " +
        "BEGIN SELECT RAISE(ABORT, 'refused by test'); END;";
}

public sealed class PostgresRefusedChangeTests(PostgresStoredTextServerFixture fixture) : RefusedChangeTests, IClassFixture<PostgresStoredTextServerFixture>
{
    protected override ChatServer Server => fixture.Server;

    /// <summary>A trigger that raises <c>22023</c> (invalid_parameter_value), of class 22 "data exception".</summary>
    protected override string RefusePoisonSql =>
        "CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
        "IF NEW.content = 'poison' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$; " +
        "CREATE OR REPLACE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison();";
}
