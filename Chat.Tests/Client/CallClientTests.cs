using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>Chat.Client's typed calls: the methods reach the hub and the callbacks arrive as events.</summary>
public sealed class CallClientTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ACallGoesFromOfferToHangUpThroughTheTypedClient(ChatProtocol protocol)
    {
        await using var alice = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        var room = (await alice.Client.OpenDirectAsync(bob.UserId).WithTimeout()).Room;
        var callId = Guid.NewGuid().ToString("N");

        await alice.Client.StartCallAsync(room, new CallOffer(callId, "v=0 offer", Video: true)).WithTimeout();
        var incoming = await bob.CallsOffered.WaitForAsync(c => c.CallId == callId);
        await bob.Client.AnswerCallAsync(callId, "v=0 answer").WithTimeout();
        var answer = await alice.CallsAnswered.WaitForAsync(a => a.CallId == callId);
        var candidate = new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", "0", 0);
        await bob.Client.SendIceCandidatesAsync(callId, [candidate]).WithTimeout();
        var candidates = await alice.Candidates.WaitForAsync(c => c.CallId == callId);
        await alice.Client.EndCallAsync(callId).WithTimeout();
        var ended = await bob.CallsEnded.WaitForAsync(e => e.CallId == callId);

        incoming.Should().Be(new IncomingCall(callId, "v=0 offer", true, room, alice.UserId, alice.UserName));
        answer.Should().Be(new CallAnswer(callId, "v=0 answer"));
        candidates.Candidates.Should().Equal(candidate);
        ended.Should().Be(new CallEnd(callId, CallEndReasons.Hangup));
        var refused = await FluentActions.Awaiting(() => alice.Client.EndCallAsync(callId).WithTimeout()).Should().ThrowAsync<ChatRequestException>();
        refused.Which.Code.Should().Be(ChatErrorCodes.CallNotFound);
        (await alice.Client.GetIceServersAsync().WithTimeout()).Should().BeEmpty("this server has no STUN or TURN configured");
    }
}
