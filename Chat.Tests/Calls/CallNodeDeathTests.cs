using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Calls;

/// <summary>
/// Nodes as processes: a node killed without a goodbye ends its calls for the other side once its lease lapses, and
/// while Redis is away calls are refused with a code. Each test first brings back what an earlier one killed.
/// </summary>
public sealed class CallNodeDeathTests(ProcessClusterFixture cluster) : IClassFixture<ProcessClusterFixture>
{
    // The cluster's lease (4 s) and a sweep, with room for a loaded machine.
    private static readonly TimeSpan DeadNodeNoticed = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AKilledNodesCallEndsForTheSurvivor()
    {
        await EveryPartRunningAsync();
        await using var alice = await cluster.Nodes[1].ConnectAsync(TestDefaults.UniqueUser("alice"));
        var bob = await cluster.Nodes[0].ConnectAsync(TestDefaults.UniqueUser("bob"));
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        var callId = Guid.NewGuid().ToString("N");
        await alice.StartCall(room, new CallOffer(callId, "v=0", Video: true));
        await bob.CallsOffered.WaitForAsync(c => c.CallId == callId);
        await bob.AnswerCall(callId, "v=0");
        await alice.CallsAnswered.WaitForAsync(a => a.CallId == callId);

        await cluster.Nodes[0].KillAsync();

        (await alice.CallsEnded.WaitForAsync(e => e.CallId == callId, DeadNodeNoticed)).Reason.Should().Be(CallEndReasons.Disconnected);
        await Infrastructure.Conversations.Rejected(() => alice.SendIceCandidates(callId, new IceCandidate("candidate:1", "0", 0)), ChatErrorCodes.CallNotFound);
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task ACallerWhoseNodeDiesStopsRingingTheCalleeBeforeTheTimeout()
    {
        await EveryPartRunningAsync();
        await using var bob = await cluster.Nodes[1].ConnectAsync(TestDefaults.UniqueUser("bob"));
        var alice = await cluster.Nodes[0].ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        var callId = Guid.NewGuid().ToString("N");
        await alice.StartCall(room, new CallOffer(callId, "v=0", Video: false));
        await bob.CallsOffered.WaitForAsync(c => c.CallId == callId);

        await cluster.Nodes[0].KillAsync();

        // The ring timeout is a minute: ending within the lease and a sweep can only be the dead caller noticed.
        (await bob.CallsEnded.WaitForAsync(e => e.CallId == callId, DeadNodeNoticed)).Reason.Should().Be(CallEndReasons.Disconnected);
        await Infrastructure.Conversations.Rejected(() => bob.AnswerCall(callId, "v=0"), ChatErrorCodes.CallNotFound);
        await alice.DisposeAsync();
    }

    [Fact]
    public async Task WhileRedisIsAwayACallIsRefusedAsUnavailableAndTheConversationCarriesOn()
    {
        await EveryPartRunningAsync();
        await using var alice = await cluster.Nodes[0].ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await cluster.Nodes[0].ConnectAsync(TestDefaults.UniqueUser("bob"));
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(room);

        await cluster.Redis.KillAsync();

        await Infrastructure.Conversations.Rejected(
            () => alice.StartCall(room, new CallOffer(Guid.NewGuid().ToString("N"), "v=0", Video: false)), ChatErrorCodes.Unavailable);
        var message = await alice.SendMessage(room, "no call, then: a message");
        message.Content.Should().Be("no call, then: a message", "the refusal leaves the connection and the room working");

        await cluster.Redis.StartAsync();
        await EveryPartRunningAsync();
        var callId = Guid.NewGuid().ToString("N");
        await alice.StartCall(room, new CallOffer(callId, "v=0", Video: false));
        await bob.CallsOffered.WaitForAsync(c => c.CallId == callId, DeadNodeNoticed);
    }

    private async Task EveryPartRunningAsync()
    {
        if (!cluster.Redis.IsRunning)
        {
            await cluster.Redis.StartAsync();
        }

        foreach (var node in cluster.Nodes.Where(n => !n.IsRunning))
        {
            await node.StartAsync();
        }

        // A node that lost Redis takes a moment to find it again; until then its calls reach nobody elsewhere.
        foreach (var node in cluster.Nodes)
        {
            await Eventually.MatchesAsync(node.ReadinessAsync, s => s == HttpStatusCode.OK, DeadNodeNoticed, "every node reconnects by itself");
        }
    }
}
