using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Calls;

/// <summary>Calls across two nodes on one Redis: ringing, answering and hanging up do not depend on the node.</summary>
public sealed class CallClusterTests(SqliteClusterFixture cluster) : IClassFixture<SqliteClusterFixture>
{
    private ChatServer NodeA => cluster.Nodes[0];

    private ChatServer NodeB => cluster.Nodes[1];

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ACallPlacedOnOneNodeIsAnsweredOnTheOther(ChatProtocol protocol)
    {
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await NodeA.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bobOnA = await NodeA.ConnectAsync(bobName, protocol);
        await using var bobOnB = await NodeB.ConnectAsync(bobName, protocol);
        var room = (await alice.OpenDirect(bobOnA.UserId)).Room;
        var callId = Guid.NewGuid().ToString("N");

        await alice.StartCall(room, new CallOffer(callId, "v=0 offer", Video: true));
        await bobOnA.CallsOffered.WaitForAsync(c => c.CallId == callId);
        (await bobOnB.CallsOffered.WaitForAsync(c => c.CallId == callId)).FromUserId.Should().Be(alice.UserId);
        await bobOnB.AnswerCall(callId, "v=0 answer");

        (await alice.CallsAnswered.WaitForAsync(a => a.CallId == callId)).Sdp.Should().Be("v=0 answer");
        (await bobOnA.CallsEnded.WaitForAsync(e => e.CallId == callId)).Reason.Should().Be(CallEndReasons.AnsweredElsewhere);
        var candidate = new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", "0", 0);
        await alice.SendIceCandidates(callId, candidate);
        await bobOnB.SendIceCandidates(callId, candidate);
        (await bobOnB.Candidates.WaitForAsync(c => c.CallId == callId)).Candidates.Should().Equal(candidate);
        (await alice.Candidates.WaitForAsync(c => c.CallId == callId)).Candidates.Should().Equal(candidate);

        await bobOnB.EndCall(callId, CallEndReasons.Hangup);
        (await alice.CallsEnded.WaitForAsync(e => e.CallId == callId)).Reason.Should().Be(CallEndReasons.Hangup);
        bobOnB.CallsEnded.Items.Should().BeEmpty("the answering connection hung up itself");
    }

    [Fact]
    public async Task OfTwoAnswersOnTwoNodesAtOnceExactlyOneWins()
    {
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await NodeB.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bobOnA = await NodeA.ConnectAsync(bobName);
        await using var bobOnB = await NodeB.ConnectAsync(bobName);
        var room = (await alice.OpenDirect(bobOnA.UserId)).Room;
        var callId = Guid.NewGuid().ToString("N");
        await alice.StartCall(room, new CallOffer(callId, "v=0", Video: false));
        await bobOnA.CallsOffered.WaitForAsync(c => c.CallId == callId);
        await bobOnB.CallsOffered.WaitForAsync(c => c.CallId == callId);

        var refused = await Task.WhenAll(
            Infrastructure.Conversations.IsRejectedWithAsync(() => bobOnA.AnswerCall(callId, "v=0 a"), ChatErrorCodes.CallNotFound),
            Infrastructure.Conversations.IsRejectedWithAsync(() => bobOnB.AnswerCall(callId, "v=0 b"), ChatErrorCodes.CallNotFound));

        refused.Should().ContainSingle(r => r, "exactly one answer takes the call");
        var loser = refused[0] ? bobOnA : bobOnB;
        (await loser.CallsEnded.WaitForAsync(e => e.CallId == callId)).Reason.Should().Be(CallEndReasons.AnsweredElsewhere);
        (await alice.CallsAnswered.WaitForAsync(a => a.CallId == callId)).Sdp.Should().Be(refused[0] ? "v=0 b" : "v=0 a");
    }

    [Fact]
    public async Task ANodesDeathEndsItsCallsForTheSurvivor()
    {
        var nodeC = await cluster.StartExtraNodeAsync();
        await using var alice = await NodeA.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var bob = await nodeC.ConnectAsync(TestDefaults.UniqueUser("bob"));
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        var callId = Guid.NewGuid().ToString("N");
        await alice.StartCall(room, new CallOffer(callId, "v=0", Video: false));
        await bob.CallsOffered.WaitForAsync(c => c.CallId == callId);
        await bob.AnswerCall(callId, "v=0");
        await alice.CallsAnswered.WaitForAsync(a => a.CallId == callId);

        await nodeC.DisposeAsync();

        (await alice.CallsEnded.WaitForAsync(e => e.CallId == callId)).Reason.Should().Be(CallEndReasons.Disconnected);
        await bob.DisposeAsync();
    }
}
