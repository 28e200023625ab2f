using Chat.Server.Messaging;
using Chat.Server.Search;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Search;

/// <summary>
/// SearchMessages (contract v2, section 5) on each store's own full-text engine: every word must match, phrases and
/// prefixes work, newest first; only the current text of what the caller may read — never a deleted message, never
/// an edited one by its old words, never someone else's private room.
/// </summary>
public abstract class SearchTests
{
    protected abstract ChatServer Server { get; }

    /// <summary>A word no other test writes, so searches across all rooms find only this test's messages.</summary>
    protected static string UniqueWord() => "w" + Guid.NewGuid().ToString("N")[..10];

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task FindsByEveryWordByPhraseAndByPrefixNewestFirst(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var quick = await alice.SendMessage(room, $"{tag} the quick brown fox jumps");
        var brown = await alice.SendMessage(room, $"{tag} brown bread for breakfast");
        var jumping = await alice.SendMessage(room, $"{tag} a fox that is jumping, not quick");

        (await Ids(alice, $"{tag} brown")).Should().Equal(brown.Id, quick.Id);
        (await Ids(alice, $"{tag} fox quick")).Should().Equal([jumping.Id, quick.Id], "every word must match, in any order");
        (await Ids(alice, $"{tag} \"quick brown\"")).Should().Equal([quick.Id], "a phrase matches its words in order");
        (await Ids(alice, $"{tag} jump*")).Should().Equal([jumping.Id, quick.Id], "a prefix matches every word it starts");
        (await Ids(alice, $"{tag} BREAD")).Should().Equal([brown.Id], "case does not matter");
        (await Ids(alice, $"{tag} bre")).Should().BeEmpty("a word matches whole words only");
        (await Ids(alice, $"{tag} fox OR bread")).Should().BeEmpty("OR is a word like any other, and no message has it");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NeverFindsADeletedMessageAndFindsAnEditedOneByItsNewWordsOnly(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var deleted = await alice.SendMessage(room, $"{tag} secret launch codes");
        var edited = await alice.SendMessage(room, $"{tag} meet at noon");
        await alice.AddReaction(room, edited.Id, "👍");

        await alice.DeleteMessage(room, deleted.Id);
        await alice.EditMessage(room, edited.Id, $"{tag} meet at midnight");

        (await Ids(alice, $"{tag} secret")).Should().BeEmpty("a deleted message is never found");
        (await Ids(alice, $"{tag} noon")).Should().BeEmpty("an edit replaces the words a message is found by");
        var hit = (await alice.SearchMessages(new SearchRequest($"{tag} midnight"))).Hits.Should().ContainSingle().Subject;
        hit.Message.Id.Should().Be(edited.Id);
        hit.Message.Content.Should().Be($"{tag} meet at midnight", "a hit carries the message as it is now");
        hit.Message.Reactions.Should().ContainSingle(r => r.Value == "👍");
    }

    [Fact]
    public async Task AnEditOrADeleteLeavesNoOldWordsWhetherTheMessageWasIndexedAlreadyOrNot()
    {
        var room = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        var early = await alice.SendMessage(room, $"{tag} early draft");
        var doomed = await alice.SendMessage(room, $"{tag} doomed words");
        (await Ids(alice, $"{tag} draft")).Should().Equal([early.Id], "searching indexes what was posted before it");

        // Changed once found (indexed), and at once after posting (most likely not indexed yet).
        await alice.EditMessage(room, early.Id, $"{tag} early final");
        await alice.DeleteMessage(room, doomed.Id);
        var late = await alice.SendMessage(room, $"{tag} late draft");
        var gone = await alice.SendMessage(room, $"{tag} gone words");
        await alice.EditMessage(room, late.Id, $"{tag} late final");
        await alice.DeleteMessage(room, gone.Id);

        (await Ids(alice, $"{tag} draft")).Should().BeEmpty();
        (await Ids(alice, $"{tag} words")).Should().BeEmpty();
        (await Ids(alice, $"{tag} final")).Should().Equal(late.Id, early.Id);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NeverFindsAPrivateRoomOfOthersAndRefusesToSearchOne(ChatProtocol protocol)
    {
        var secret = TestDefaults.UniqueRoom("secret");
        var lobby = TestDefaults.UniqueRoom("lobby");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var mallory = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("mallory"), protocol);
        await alice.CreatePrivateRoomAsync(secret, bob);
        await alice.JoinRoom(secret);
        await alice.JoinRoom(lobby);
        var inSecret = await alice.SendMessage(secret, $"{tag} the plan is ready");
        var inLobby = await alice.SendMessage(lobby, $"{tag} the plan is public");

        (await Ids(bob, $"{tag} plan")).Should().Equal([inLobby.Id, inSecret.Id], "a member finds the private room's messages without joining it now");
        (await Ids(mallory, $"{tag} plan")).Should().Equal([inLobby.Id], "someone else finds the public room only");
        await Rejected(() => mallory.SearchMessages(new SearchRequest($"{tag} plan", Room: secret)), ChatErrorCodes.Forbidden);
        (await mallory.SearchMessages(new SearchRequest($"{tag} plan", Room: lobby))).Hits.Should().ContainSingle();
    }

    [Fact]
    public async Task FiltersByRoomSenderAndTimeAndPagesWithoutGapsOrRepeats()
    {
        var room = TestDefaults.UniqueRoom("search");
        var other = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"));
        await alice.JoinRoom(room);
        await alice.JoinRoom(other);
        await bob.JoinRoom(room);
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 7; i++)
        {
            sent.Add(await (i % 2 == 0 ? alice : bob).SendMessage(room, $"{tag} report number {i}"));
        }

        var elsewhere = await alice.SendMessage(other, $"{tag} report elsewhere");

        var pages = new List<SearchHit>();
        string? cursor = null;
        do
        {
            var page = await alice.SearchMessages(new SearchRequest($"{tag} report", Room: room, Limit: 3, Cursor: cursor));
            page.Hits.Length.Should().BeLessThanOrEqualTo(3);
            pages.AddRange(page.Hits);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        pages.Select(h => h.Message.Id).Should().Equal(sent.AsEnumerable().Reverse().Select(m => m.Id), "pages go newest first, each message once");
        (await Ids(alice, $"{tag} report")).Should().HaveCount(8).And.Contain(elsewhere.Id);
        (await alice.SearchMessages(new SearchRequest($"{tag} report", SenderId: bob.UserId))).Hits
            .Select(h => h.Message.Id).Should().Equal(sent.Where(m => m.SenderId == bob.UserId).Reverse().Select(m => m.Id));
        // Times are kept to the millisecond, so two quick sends may share one: the bounds exclude every message of their
        // instant, whichever it is.
        var between = sent.Where(m => m.SentAt > sent[2].SentAt && m.SentAt < sent[5].SentAt).Reverse().Select(m => m.Id).ToList();
        between.Should().NotBeEmpty("seven sends one after another span more than three milliseconds");
        (await alice.SearchMessages(new SearchRequest($"{tag} report", Room: room, After: sent[2].SentAt, Before: sent[5].SentAt))).Hits
            .Select(h => h.Message.Id).Should().Equal(between, "after and before are exclusive");
    }

    [Fact]
    public async Task TheSnippetMarksTheMatchedWordsAndEscapesEverythingElse()
    {
        var room = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        await alice.SendMessage(room, $"{tag} <script>alert('x')</script> & the apples");

        var hit = (await alice.SearchMessages(new SearchRequest("apples " + tag))).Hits.Should().ContainSingle().Subject;

        hit.Snippet.Should().Contain("<mark>apples</mark>").And.Contain($"<mark>{tag}</mark>");
        hit.Snippet.Should().Contain("&amp;").And.Contain("&#39;x&#39;");
        hit.Snippet.Replace("<mark>", "").Replace("</mark>", "").Should().NotContainAny(
            ["<", ">"], "everything but the marks is escaped (PostgreSQL's excerpt also leaves out what looks like a tag)");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"unterminated phrase")]
    [InlineData("a*b")]
    [InlineData("x*")]
    [InlineData("*")]
    [InlineData("!!! ???")]
    public async Task AQueryTheLanguageCannotMeanIsInvalidQuery(string query)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));

        await Rejected(() => alice.SearchMessages(new SearchRequest(query)), ChatErrorCodes.InvalidQuery);

        (await alice.SearchMessages(new SearchRequest("fine"))).Should().NotBeNull("the connection carries on");
    }

    [Fact]
    public async Task LimitsAndCursorsOutsideTheContractAreRefused()
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));

        await Rejected(() => alice.SearchMessages(new SearchRequest("word", Limit: 0)), ChatErrorCodes.InvalidLimit);
        await Rejected(() => alice.SearchMessages(new SearchRequest("word", Limit: ChatLimits.MaxSearchPage + 1)), ChatErrorCodes.InvalidLimit);
        await Rejected(() => alice.SearchMessages(new SearchRequest(new string('a', ChatLimits.MaxSearchQueryLength + 1))), ChatErrorCodes.InvalidQuery);
        await Rejected(() => alice.SearchMessages(new SearchRequest(string.Join(' ', Enumerable.Range(0, ChatLimits.MaxSearchTerms + 1).Select(i => $"w{i}")))), ChatErrorCodes.InvalidQuery);
        await Rejected(() => alice.SearchMessages(new SearchRequest("word", Cursor: "not-a-cursor")), ChatErrorCodes.InvalidRequest);
        await Rejected(() => alice.SearchMessages(new SearchRequest("word", Room: "Not A Room!")), ChatErrorCodes.InvalidRoomName);
    }

    [Fact]
    public async Task OperatorsAndQuotesOfTheEnginesAreOrdinaryText()
    {
        var room = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        var message = await alice.SendMessage(room, $"{tag} don't NEAR me: it's (almost) done");

        (await Ids(alice, $"{tag} don't")).Should().Equal(message.Id);
        (await Ids(alice, $"{tag} NEAR (almost) it's")).Should().Equal(message.Id);
        (await Ids(alice, $"{tag} 'done' & | ! : -me")).Should().Equal([message.Id], "punctuation of either engine's syntax is just punctuation");
    }

    private static async Task<string[]> Ids(TestClient client, string query) =>
        [.. (await client.SearchMessages(new SearchRequest(query, Limit: ChatLimits.MaxSearchPage))).Hits.Select(h => h.Message.Id)];
}

/// <summary>A server whose users may post as fast as a test does.</summary>
public sealed class SearchServerFixture : ChatServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };
}

public sealed class SqliteSearchTests(SearchServerFixture fixture) : SearchTests, IClassFixture<SearchServerFixture>
{
    protected override ChatServer Server => fixture.Server;

    /// <summary>
    /// SQLite indexes new messages after their commit, edits and deletes of indexed ones by trigger: whichever comes
    /// first, FTS5's own check of the index against the messages table finds them in agreement.
    /// </summary>
    [Fact]
    public async Task TheIndexAgreesWithTheMessagesAfterPostsEditsAndDeletesInAnyOrderAgainstTheIndexer()
    {
        var room = TestDefaults.UniqueRoom("search");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        for (var i = 0; i < 60; i++)
        {
            var message = await alice.SendMessage(room, $"round {i} first words");
            if (i % 3 == 0)
            {
                await alice.EditMessage(room, message.Id, $"round {i} second words");
            }

            if (i % 4 == 0)
            {
                await alice.DeleteMessage(room, message.Id);
            }

            if (i % 10 == 0)
            {
                await alice.SearchMessages(new SearchRequest("round", Room: room));
            }
        }

        (await alice.SearchMessages(new SearchRequest("second", Room: room, Limit: ChatLimits.MaxSearchPage))).Hits
            .Should().HaveCount(Enumerable.Range(0, 60).Count(i => i % 3 == 0 && i % 4 != 0));
        await using var store = new SqliteConnection($"Data Source={Path.Combine(Server.DataDirectory, "chat.db")};Pooling=False");
        await store.OpenAsync();
        await using var check = store.CreateCommand();
        check.CommandText = "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)";
        await check.Invoking(c => c.ExecuteNonQueryAsync()).Should().NotThrowAsync("the index holds exactly the messages' current words");
    }

    /// <summary>
    /// The index's passes write to the store, so they run on the group commit's own connection between its batches
    /// (see WriterConnectionTests): passes, searches and a pass that fails, all while people post, fail no post, and
    /// the index ends up with every message.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task IndexPassesAndSearchesShareTheWritersConnectionWhilePeoplePost(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("search");
        var tag = UniqueWord();
        var pipeline = Server.Services.GetRequiredService<ChangePipeline>();
        var engine = Server.Services.GetRequiredService<SearchEngine>();
        var posters = new List<TestClient>();
        for (var i = 0; i < 4; i++)
        {
            var poster = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser($"poster{i}"), protocol);
            await poster.JoinRoom(room);
            posters.Add(poster);
        }

        await using var searcher = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("searcher"), protocol);
        try
        {
            var posting = posters.Select(async (poster, p) =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await poster.SendMessage(room, $"{tag} from {p} number {i}");
                }
            }).ToList();
            var searching = Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await searcher.SearchMessages(new SearchRequest(tag));
                }
            });
            var passes = Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await pipeline.RunOnWriterConnectionAsync((commands, token) => engine.CatchUpAsync(commands.Connection, token)).WithTimeout(TestDefaults.Timeout);
                }
            });
            var failing = pipeline.RunOnWriterConnectionAsync((_, _) => throw new InvalidOperationException("a pass that breaks"));

            await Task.WhenAll([.. posting, searching, passes]).WithTimeout(TimeSpan.FromMinutes(1));
            await failing.Awaiting(f => f.WithTimeout(TestDefaults.Timeout)).Should().ThrowAsync<InvalidOperationException>();
        }
        finally
        {
            foreach (var poster in posters)
            {
                await poster.DisposeAsync();
            }
        }

        var found = new List<SearchHit>();
        string? cursor = null;
        do
        {
            var page = await searcher.SearchMessages(new SearchRequest(tag, Limit: ChatLimits.MaxSearchPage, Cursor: cursor));
            found.AddRange(page.Hits);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        found.Select(h => h.Message.Content).Should().OnlyHaveUniqueItems().And.HaveCount(200, "every post was stored and indexed");
    }
}

public sealed class PostgresSearchTests(PostgresChatServerFixture fixture) : SearchTests, IClassFixture<PostgresChatServerFixture>
{
    protected override ChatServer Server => fixture.Server;
}
