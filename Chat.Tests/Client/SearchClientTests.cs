using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Search through <see cref="ChatClient"/> against a real server: a posted message is found by anyone who may read its
/// room, with a marked snippet; the paging helper walks every hit once, newest first; a query the server refuses is
/// the client's error and leaves the connection alone.
/// </summary>
public sealed class SearchClientTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task PostedMessageIsFoundByAnotherUserWithItsWordsMarked(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("plans");
        var word = UniqueWord("budget");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        var posted = await alice.Client.SendMessageAsync(room, $"The {word} meeting <moves> to Friday").WithTimeout();
        await alice.Client.SendMessageAsync(room, "lunch on Friday?").WithTimeout();

        var found = await bob.Client.SearchMessagesAsync($"{word.ToUpperInvariant()} friday").WithTimeout();
        var inRoom = await bob.Client.SearchMessagesAsync(new SearchRequest(word, Room: room, SenderId: alice.UserId, After: posted.SentAt.AddMinutes(-1))).WithTimeout();

        found.NextCursor.Should().BeNull();
        var hit = found.Hits.Should().ContainSingle("every word must match, case aside; bob never joined the public room").Subject;
        hit.Message.Should().Be(posted);
        hit.Snippet.Should().Contain($"<mark>{word}</mark>").And.Contain("&lt;moves&gt;", "the snippet is HTML, its text escaped");
        inRoom.Hits.Select(h => h.Message.Id).Should().Equal(posted.Id);
        (await bob.Client.SearchMessagesAsync(word, room: TestDefaults.UniqueRoom("elsewhere")).WithTimeout()).Hits.Should().BeEmpty();
    }

    [Fact]
    public async Task PagingHelperYieldsEveryHitOnceNewestFirst()
    {
        var room = TestDefaults.UniqueRoom();
        var word = UniqueWord("report");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        for (var i = 1; i <= 7; i++)
        {
            await alice.Client.SendMessageAsync(room, $"{word} number {i}").WithTimeout();
        }

        var firstPage = await alice.Client.SearchMessagesAsync(word, limit: 3).WithTimeout();
        var hits = new List<SearchHit>();
        using var deadline = new CancellationTokenSource(TestDefaults.Timeout);
        await foreach (var hit in alice.Client.EnumerateSearchHitsAsync(new SearchRequest($"{word[..^4]}*", Limit: 3), deadline.Token))
        {
            hits.Add(hit);
        }

        firstPage.Hits.Select(h => h.Message.Sequence).Should().Equal(7, 6, 5);
        firstPage.NextCursor.Should().NotBeNullOrEmpty("more hits wait");
        hits.Select(h => h.Message.Sequence).Should().Equal([7, 6, 5, 4, 3, 2, 1], "three pages of a prefix search, each hit once");
    }

    [Fact]
    public async Task QueryTheServerCannotParseFailsWithInvalidQueryAndTheConnectionStays()
    {
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.Json);

        var unterminated = () => alice.Client.SearchMessagesAsync("\"budget meeting").WithTimeout();
        var tooMany = () => alice.Client.SearchMessagesAsync("budget", limit: ChatLimits.MaxSearchPage + 1).WithTimeout();

        (await unterminated.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.InvalidQuery);
        (await tooMany.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.InvalidLimit);
        alice.Client.State.Should().Be(ChatConnectionState.Connected);
        (await alice.Client.SearchMessagesAsync(UniqueWord("nothing")).WithTimeout()).Hits.Should().BeEmpty();
    }

    /// <summary>A word no other test posts, so that tests sharing the server find only their own messages.</summary>
    private static string UniqueWord(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];
}
