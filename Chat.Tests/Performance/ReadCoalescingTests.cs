using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.Tests.Performance;

/// <summary>
/// Read pointers are written in batches (issue 18: "a busy user marking read many times a second must not cost a
/// transaction each, without ever losing the last one acknowledged"): a burst of MarkRead calls from many users costs
/// at most one commit per <c>ReadState:FlushInterval</c>, counted by <c>chat_read_commits</c> at /metrics, and every
/// acknowledged pointer survives a kill -9. The server runs as its own process: the exporter is one per process, and
/// other test classes' servers in this one would add their commits to the counter.
/// </summary>
public sealed partial class ReadCoalescingTests(ReadCoalescingTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ReadCoalescingTests.Fixture>
{
    private const int Users = 50;
    private const int MarksPerUser = 10;

    /// <summary>The server's default <c>ReadState:FlushInterval</c>.</summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task ABurstOfMarkReadCallsCostsAFewCommitsAndKeepsEveryLastPointer()
    {
        var server = fixture.Server;
        var room = TestDefaults.UniqueRoom("busy");
        var owner = await ConnectWelcomedAsync(server, TestDefaults.UniqueUser("owner"));
        var readers = new List<TestClient>();
        try
        {
            for (var i = 0; i < Users; i++)
            {
                readers.Add(await ConnectWelcomedAsync(server, TestDefaults.UniqueUser("reader" + i)));
            }

            // Nobody's connection joins the room: the burst measures pointer writes, not receipts on the wire.
            await owner.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [.. readers.Select(r => r.UserId)]));
            await owner.JoinRoom(room);
            for (var i = 1; i <= MarksPerUser; i++)
            {
                await owner.SendMessage(room, $"message {i}");
            }

            var commitsBefore = await CounterAsync(server, CommitsPattern());
            var marksBefore = await CounterAsync(server, MarksPattern());
            var clock = Stopwatch.StartNew();

            // Every call is sent at once; each connection's calls are answered in order, each one moving its pointer.
            var calls = readers.Select(r => Enumerable.Range(1, MarksPerUser).Select(sequence => r.MarkRead(room, sequence)).ToArray()).ToArray();
            var answers = await Task.WhenAll(calls.Select(Task.WhenAll));
            clock.Stop();

            for (var i = 0; i < Users; i++)
            {
                answers[i].Select(a => a.LastReadSequence).Should().Equal(
                    Enumerable.Range(1, MarksPerUser).Select(s => (long)s), "reader {0}'s calls each moved the pointer, in order", i);
                answers[i][^1].Should().Be(new ReadState(room, MarksPerUser, 0, 0));
            }

            const int callCount = Users * MarksPerUser;
            var marks = await Eventually.MatchesAsync(
                async () => await CounterAsync(server, MarksPattern()) - marksBefore, m => m >= callCount, because: "chat_read_marks counts every MarkRead that moved a pointer");
            marks.Should().Be(callCount);
            var commits = await CounterAsync(server, CommitsPattern()) - commitsBefore;
            var allowed = (int)(clock.Elapsed / FlushInterval) + 2;
            output.WriteLine($"{callCount} MarkRead calls of {Users} users in {clock.ElapsedMilliseconds} ms: {commits} commits");
            commits.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(
                allowed, "at most one commit per flush interval: {0} calls in {1} ms", callCount, clock.ElapsedMilliseconds);
            commits.Should().BeLessThanOrEqualTo(callCount / 10, "a burst of {0} calls costs far fewer commits than calls", callCount);

            var receipts = await owner.GetReadReceipts(room);
            receipts.Where(r => r.UserId != owner.UserId).Select(r => (r.UserId, r.LastReadSequence)).Should().BeEquivalentTo(
                readers.Select(r => (r.UserId, (long)MarksPerUser)), "every last pointer is stored");

            // Acknowledged means stored: not even a kill -9 right after the burst loses one.
            await server.KillAsync();
            await server.StartAsync();
            await using var ownerAgain = await ConnectWelcomedAsync(server, owner.UserName);
            (await ownerAgain.GetReadReceipts(room)).Where(r => r.UserId != owner.UserId).Select(r => (r.UserId, r.LastReadSequence)).Should().BeEquivalentTo(
                readers.Select(r => (r.UserId, (long)MarksPerUser)), "every acknowledged pointer outlives the process");
            await using var lastReader = await ConnectWelcomedAsync(server, readers[^1].UserName);
            (await lastReader.ListedReadStateAsync(room)).Should().Be(new ReadState(room, MarksPerUser, 0, 0));
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }

            await owner.DisposeAsync();
        }
    }

    private static async Task<TestClient> ConnectWelcomedAsync(ChatServerProcess server, string userName)
    {
        var client = await server.ConnectAsync(userName, ChatProtocol.MessagePack);
        await client.ListMyRooms();
        return client;
    }

    /// <summary>The counter's value at /metrics, summed over its labels (0 before its first measurement: the exporter lists an instrument once it has one).</summary>
    private static async Task<long> CounterAsync(ChatServerProcess server, Regex pattern)
    {
        var text = await Http.GetStringAsync(new Uri(server.BaseAddress, ChatRoutes.Metrics)).WithTimeout();
        return pattern.Matches(text).Sum(m => (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^chat_read_commits(?:_total)?(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex CommitsPattern();

    [GeneratedRegex(@"^chat_read_marks(?:_total)?(?:\{[^}]*\})? ([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex MarksPattern();

    /// <summary>The send rate is not what this test specifies.</summary>
    public sealed class Fixture : ChatServerProcessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
