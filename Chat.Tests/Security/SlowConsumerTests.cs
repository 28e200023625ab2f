using Chat.Server.Security;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Chat.Tests.Security;

public sealed class SlowConsumerServerFixture : ChatServerFixture
{
    public static readonly TimeSpan StalledWriteTimeout = TimeSpan.FromSeconds(2);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:StalledWriteTimeout"] = StalledWriteTimeout.ToString(),
        ["Messaging:MessagesPerSecond"] = "100000",
        ["Messaging:Burst"] = "100000",
    };
}

/// <summary>A client that stops reading must not hold the server's memory or anyone else's messages.</summary>
public sealed class SlowConsumerTests(SlowConsumerServerFixture fixture, ITestOutputHelper output) : IClassFixture<SlowConsumerServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task ClientThatNeverReadsWhileItsRoomIsFloodedIsDisconnectedAndOthersGetEverything()
    {
        var room = TestDefaults.UniqueRoom("flooded");
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await bob.JoinRoom(room);
        // Several senders: each connection's calls run one at a time, and the store commits concurrent sends together.
        var senders = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var sender = await Server.ConnectAsync(TestDefaults.UniqueUser("flooder"));
            await sender.JoinRoom(room);
            return sender;
        }));
        var alice = senders[0];
        var sloth = TestDefaults.UniqueUser("sloth");
        await using var stuck = await RawHubConnection.OpenAsync(Server.HubUrl, (await Server.GetTokenAsync(sloth)).AccessToken, receiveBufferSize: 4096);
        (await stuck.HandshakeAsync()).Error.Should().BeNull();
        await stuck.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        (await stuck.WaitForCompletionAsync("join"))!.Error.Should().BeNull();
        var limiter = Server.Services.GetRequiredService<ConnectionLimiter>();
        var watchdog = Server.Services.GetRequiredService<StalledWriteWatchdog>();
        var closedBefore = watchdog.StalledConnectionsClosed;
        var slothId = "guest:" + sloth.ToLowerInvariant();
        limiter.ConnectionsOf(slothId).Should().Be(1);

        // From here on the sloth never reads; it keeps pinging, so the server's client timeout cannot be what ends it.
        // JSON escapes '<' as \u003C: six bytes a character on the sloth's JSON connection, so its socket buffers
        // (megabytes on loopback) fill after a couple of hundred messages.
        var content = new string('<', ChatLimits.MaxMessageLength);
        var sent = 0;
        var started = DateTime.UtcNow;
        var deadline = started + TimeSpan.FromSeconds(60);
        while (limiter.ConnectionsOf(slothId) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.WhenAll(senders.SelectMany(sender => Enumerable.Range(0, 10).Select(_ => sender.SendMessage(room, content))));
            sent += senders.Length * 10;
            await stuck.SendAsync(RawFrames.JsonRecord("{\"type\":6}")).WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var closedAfter = DateTime.UtcNow - started;
        output.WriteLine($"Closed the stuck connection after {closedAfter.TotalSeconds:F1} s and {sent} messages of {content.Length} characters.");
        limiter.ConnectionsOf(slothId).Should().Be(0, "the server closed the connection that stopped reading");
        watchdog.StalledConnectionsClosed.Should().BeGreaterThan(closedBefore);
        (await Server.Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout())
            .Should().MatchRegex(@"chat_security_refusals(_total)?\{[^}]*reason=""stalled_writes""[^}]*\} [1-9]");
        (await bob.Messages.WaitForCountAsync(sent, m => m.Room == room, TimeSpan.FromSeconds(30))).Select(m => m.Sequence)
            .Should().Equal(Enumerable.Range(1, sent).Select(i => (long)i), "everyone else receives every message, in order");
        output.WriteLine($"Bob had every message {(DateTime.UtcNow - started).TotalSeconds:F1} s after the flood began.");
        (await alice.Messages.WaitForCountAsync(sent, m => m.Room == room, TimeSpan.FromSeconds(30))).Should().HaveCount(sent);
        (await alice.GetPresence(room)).Select(p => p.UserName).Should().NotContain(sloth);
        Server.Logs.Errors.Should().BeEmpty();
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }
}
