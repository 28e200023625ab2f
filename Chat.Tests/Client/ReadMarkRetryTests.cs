using System.Collections.Concurrent;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// A <c>MarkRead</c> cut by a lost connection, on a stand-in hub that closes the connection instead of answering the
/// first mark of each room: the client sends it again once reconnected (a mark is harmless to repeat), and marks made
/// meanwhile still go out, after it, as one.
/// </summary>
public sealed class ReadMarkRetryTests(ReadMarkRetryTests.Fixture fixture) : IClassFixture<ReadMarkRetryTests.Fixture>
{
    [Fact]
    public async Task MarkCutByALostConnectionIsSentAgainOnceReconnected()
    {
        await using var bob = await StartAsync();

        var marked = await bob.Client.MarkReadAsync("cut-once", 5).WithTimeout();

        marked.Should().Be(new ReadState("cut-once", 5, 0, 0));
        fixture.Attempts("cut-once").Should().Equal("MarkRead 5", "MarkRead 5");
        bob.States.Items.Should().Contain(s => s.Current == ChatConnectionState.Reconnecting, "the first attempt's answer was cut off");
    }

    [Fact]
    public async Task MarksMadeWhileTheCutOneIsOnItsWayGoOutAfterItAsOne()
    {
        await using var bob = await StartAsync();
        var cut = bob.Client.MarkReadAsync("cut-busy", 5);

        var later = new[] { bob.Client.MarkReadAsync("cut-busy", 7), bob.Client.MarkReadAsync("cut-busy", 9), bob.Client.MarkReadAsync("cut-busy", 3) };

        (await cut.WithTimeout()).LastReadSequence.Should().Be(5);
        (await Task.WhenAll(later).WithTimeout()).Select(s => s.LastReadSequence).Should().Equal(9, 9, 5);
        fixture.Attempts("cut-busy").Should().Equal("MarkRead 5", "MarkRead 5", "MarkRead 9");
    }

    private async Task<ClientUnderTest> StartAsync()
    {
        var options = ClientUnderTest.Options(fixture.BaseAddress, "bob", ChatProtocol.MessagePack);
        options.UserName = null;
        options.AccessTokenProvider = _ => Task.FromResult(new ChatAccessToken("not-checked", null));
        var client = new ClientUnderTest(options, "bob");
        await client.Client.StartAsync().WithTimeout();
        return client;
    }

    /// <summary>A hub without sign-in whose first <c>MarkRead</c> of each room closes the connection instead of answering.</summary>
    public sealed class Fixture : StandInHubFixture<CutMarkHub>
    {
        /// <summary>Records the attempt; returns whether it is the room's first.</summary>
        internal bool Attempt(string room, long sequence)
        {
            var calls = Calls.GetOrAdd(room, _ => new ConcurrentQueue<string>());
            calls.Enqueue($"{nameof(IChatHub.MarkRead)} {sequence}");
            return calls.Count == 1;
        }
    }

    public sealed class CutMarkHub(Fixture fixture) : Microsoft.AspNetCore.SignalR.Hub
    {
        public async Task<ReadState> MarkRead(string room, long sequence)
        {
            if (fixture.Attempt(room, sequence))
            {
                Context.Abort();
                await Task.Delay(Timeout.Infinite, Context.ConnectionAborted);
            }

            return new ReadState(room, sequence, 0, 0);
        }
    }
}
