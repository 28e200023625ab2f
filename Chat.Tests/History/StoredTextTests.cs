using System.Text;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Chat.Tests.History;

/// <summary>
/// Whatever Unicode a message holds comes back from the store exactly as it was sent: the group commit writes it
/// through each store's own bulk path (SQLite: statements bound by position; PostgreSQL: arrays), and nothing on the
/// way may normalize, re-encode or cut it.
/// </summary>
public abstract class StoredTextTests
{
    protected abstract ChatServer Server { get; }

    /// <summary>Awkward text every store must keep: none of it is trimmed away, and all of it is well-formed UTF-16.</summary>
    protected static IEnumerable<string> AwkwardTexts() =>
    [
        "four-byte characters: 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0001F9D1\u200D\U0001F680 👩‍👩‍👧‍👦 🇺🇦 \U0010FFFD end",
        "combining marks, not normalized: e\u0301 \u00e9 Z\u0351\u0352\u0353\u0354a\u0300\u0301\u0302 \u1100\u1161\u11a8",
        "right to left: שלום עולם \u200f مرحبا بالعالم \u202eabc\u202c \u2067isolate\u2069 done",
        "invisible and special: zero\u200Bwidth, BOM\uFEFF, \uFFFD replacement, \u00A0nbsp, tab\tline\nquote\" back\\slash {\"a\":[1]} ' ; --",
        string.Concat(Enumerable.Repeat("😀", ChatLimits.MaxMessageLength / 2)),
        string.Concat(Enumerable.Repeat("é", ChatLimits.MaxMessageLength)),
    ];

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AwkwardUnicodeComesBackFromHistoryExactlyAsSent(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("text");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var texts = AwkwardTexts().ToList();
        foreach (var text in texts)
        {
            (await alice.SendMessage(room, text)).Content.Should().Be(text);
        }

        var history = await alice.GetHistory(room, beforeSequence: null, limit: texts.Count);

        history.Select(m => m.Content).Should().Equal(texts, (stored, sent) => string.Equals(stored, sent, StringComparison.Ordinal));
    }

    /// <summary>
    /// A NUL (PostgreSQL refuses it in text) is refused with a code before it reaches the store, wherever free text
    /// goes in; it once failed the whole group commit it landed in, every other post of the moment included.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task TextNoStoreCanKeepIsRefusedAtTheDoorAndPostsOfTheSameMomentAreStored(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("text");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var first = await alice.SendMessage(room, "a first message");

        // Sent together, so that a refused change that reached the store would share a group commit with them.
        var fine = Enumerable.Range(0, 20).Select(i => bob.SendMessage(room, $"fine {i}")).ToList();
        var refusals = new[]
        {
            Infrastructure.Conversations.Rejected(() => alice.SendMessage(room, "before\0after"), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.PostMessage(room, new PostMessageRequest("hello", ClientMessageId: "id\0")), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.PostMessage(room, new PostMessageRequest("hello", Mentions: [bob.UserId + "\0"])), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.EditMessage(room, first.Id, "edited\0"), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.UpdateRoom(room, new UpdateRoomRequest(Title: "title\0")), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.UpdateRoom(room, new UpdateRoomRequest(Topic: "topic\0")), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.BanMember(room, bob.UserId, reason: "reason\0"), ChatErrorCodes.InvalidRequest),
            Infrastructure.Conversations.Rejected(() => alice.SearchMessages(new SearchRequest("fine\0")), ChatErrorCodes.InvalidQuery),
        };
        var stored = await Task.WhenAll(fine);
        await Task.WhenAll(refusals);

        var history = await alice.GetHistory(room, beforeSequence: null, limit: 50);
        history.Select(m => m.Content).Should().Equal(["a first message", .. stored.Select(m => m.Content)]);
        history[0].EditedAt.Should().BeNull();
        (await alice.SendMessage(room, "still here")).Content.Should().Be("still here", "a refusal leaves the connection working");
    }
}

/// <summary>A server whose users may post as fast as a test does.</summary>
public sealed class StoredTextServerFixture : ChatServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };
}

public sealed class SqliteStoredTextTests(StoredTextServerFixture fixture) : StoredTextTests, IClassFixture<StoredTextServerFixture>
{
    protected override ChatServer Server => fixture.Server;

    /// <summary>
    /// The file holds each text as its UTF-8 bytes (what SQLite's own functions, search among them, read).
    /// </summary>
    [Fact]
    public async Task TheFileHoldsEachTextAsItsUtf8Bytes()
    {
        var room = TestDefaults.UniqueRoom("text");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        var texts = AwkwardTexts().ToList();
        foreach (var text in texts)
        {
            await alice.SendMessage(room, text);
        }

        (await alice.GetHistory(room, beforeSequence: null, limit: texts.Count)).Select(m => m.Content)
            .Should().Equal(texts, (stored, sent) => string.Equals(stored, sent, StringComparison.Ordinal));
        await using var store = new SqliteConnection($"Data Source={Path.Combine(Server.DataDirectory, "chat.db")};Mode=ReadOnly;Pooling=False");
        await store.OpenAsync();
        await using var read = store.CreateCommand();
        read.CommandText = "SELECT CAST(content AS BLOB) FROM messages WHERE room = $room ORDER BY sequence";
        read.Parameters.AddWithValue("$room", room);
        var stored = new List<byte[]>();
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add((byte[])reader.GetValue(0));
            }
        }

        stored.Should().Equal(texts.Select(Encoding.UTF8.GetBytes), (bytes, expected) => bytes.AsSpan().SequenceEqual(expected));
    }
}

/// <summary>PostgreSQL's own server, with the posting limits of <see cref="StoredTextServerFixture"/>.</summary>
public sealed class PostgresStoredTextServerFixture : PostgresChatServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };
}

public sealed class PostgresStoredTextTests(PostgresStoredTextServerFixture fixture) : StoredTextTests, IClassFixture<PostgresStoredTextServerFixture>
{
    protected override ChatServer Server => fixture.Server;
}
