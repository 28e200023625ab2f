using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Calls;

/// <summary>Nodes as processes: a node killed without a goodbye ends its calls for the other side once its lease lapses.</summary>
public sealed class CallNodeDeathTests(ProcessClusterFixture cluster) : IClassFixture<ProcessClusterFixture>
{
    // The cluster's lease (4 s) and a sweep, with room for a loaded machine.
    private static readonly TimeSpan DeadNodeNoticed = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AKilledNodesCallEndsForTheSurvivor()
    {
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
}
