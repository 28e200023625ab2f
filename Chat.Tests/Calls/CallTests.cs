using System.Text;
using Chat.Server.Calls;
using Chat.Server.Conversations;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Calls;

/// <summary>Contract v2, section 7: WebRTC signaling between the two members of a direct room, on one node.</summary>
public sealed class CallTests(CallTests.Fixture fixture) : IClassFixture<CallTests.Fixture>
{
    private const string TurnSecret = "calls-test-secret";

    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AnOfferRingsEveryConnectionOfTheCalleeAndTheFirstAnswerWins(ChatProtocol protocol)
    {
        var (alice, bobPhone, bobLaptop, room) = await CallersAsync(protocol);
        var offer = NewOffer(video: true);

        await alice.StartCall(room, offer);

        var expected = new IncomingCall(offer.CallId, offer.Sdp, true, room, alice.UserId, alice.UserName);
        (await bobPhone.CallsOffered.WaitForAsync(c => c.CallId == offer.CallId)).Should().Be(expected);
        (await bobLaptop.CallsOffered.WaitForAsync(c => c.CallId == offer.CallId)).Should().Be(expected);
        alice.CallsOffered.Items.Should().BeEmpty("the caller does not ring");

        await bobLaptop.AnswerCall(offer.CallId, "v=0 answer");
        (await alice.CallsAnswered.WaitForAsync(a => a.CallId == offer.CallId)).Should().Be(new CallAnswer(offer.CallId, "v=0 answer"));
        (await bobPhone.CallsEnded.WaitForAsync(e => e.CallId == offer.CallId))
            .Should().Be(new CallEnd(offer.CallId, CallEndReasons.AnsweredElsewhere));
        await Rejected(() => bobPhone.AnswerCall(offer.CallId, "v=0 late"), ChatErrorCodes.CallNotFound, "the call is taken");

        await alice.EndCall(offer.CallId, CallEndReasons.Hangup);
        (await bobLaptop.CallsEnded.WaitForAsync(e => e.CallId == offer.CallId)).Reason.Should().Be(CallEndReasons.Hangup);
        bobLaptop.CallsEnded.Items.Should().ContainSingle("the answering connection is not told it answered elsewhere");
        alice.CallsEnded.Items.Should().BeEmpty("the side that hangs up is not told");
        await DisposeAllAsync(alice, bobPhone, bobLaptop);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task CandidatesAreRelayedBothWaysAndToTheRingingConnectionsBeforeTheAnswer(ChatProtocol protocol)
    {
        var (alice, bobPhone, bobLaptop, room) = await CallersAsync(protocol);
        var offer = NewOffer();
        await alice.StartCall(room, offer);
        await bobPhone.CallsOffered.WaitForAsync(c => c.CallId == offer.CallId);

        var early = new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", "0", 0);
        await alice.SendIceCandidates(offer.CallId, early);
        (await bobPhone.Candidates.WaitForAsync(c => c.CallId == offer.CallId)).Candidates.Should().Equal(early);
        (await bobLaptop.Candidates.WaitForAsync(c => c.CallId == offer.CallId)).Candidates.Should().Equal(early);

        await bobPhone.AnswerCall(offer.CallId, "v=0 answer");
        await alice.CallsAnswered.WaitForAsync(a => a.CallId == offer.CallId);
        var fromAlice = new IceCandidate("candidate:2 1 udp 1686052607 198.51.100.7 54401 typ srflx", "0", 0);
        var fromBob = new IceCandidate("candidate:3 1 udp 2122260223 192.0.2.9 60000 typ host", null, 1);
        await alice.SendIceCandidates(offer.CallId, fromAlice);
        await bobPhone.SendIceCandidates(offer.CallId, fromBob);

        (await bobPhone.Candidates.WaitForCountAsync(2, c => c.CallId == offer.CallId))[1].Candidates.Should().Equal(fromAlice);
        (await alice.Candidates.WaitForAsync(c => c.CallId == offer.CallId)).Should().BeEquivalentTo(new IceCandidates(offer.CallId, [fromBob]));
        await Rejected(() => bobLaptop.SendIceCandidates(offer.CallId, fromBob), ChatErrorCodes.CallNotFound, "the laptop did not take the call");
        bobLaptop.Candidates.Items.Should().ContainSingle("after the answer only the answering connection gets the caller's candidates");
        await DisposeAllAsync(alice, bobPhone, bobLaptop);
    }

    [Fact]
    public async Task ADeclineOnOneDeviceEndsTheCallForTheCallerAndStopsTheOtherDevices()
    {
        var (alice, bobPhone, bobLaptop, room) = await CallersAsync(ChatProtocol.Json);
        var offer = NewOffer();
        await alice.StartCall(room, offer);
        await bobLaptop.CallsOffered.WaitForAsync(c => c.CallId == offer.CallId);

        await bobPhone.EndCall(offer.CallId, CallEndReasons.Declined);

        (await alice.CallsEnded.WaitForAsync(e => e.CallId == offer.CallId)).Reason.Should().Be(CallEndReasons.Declined);
        (await bobLaptop.CallsEnded.WaitForAsync(e => e.CallId == offer.CallId)).Reason.Should().Be(CallEndReasons.Declined);
        bobPhone.CallsEnded.Items.Should().BeEmpty();
        await Rejected(() => bobLaptop.AnswerCall(offer.CallId, "v=0"), ChatErrorCodes.CallNotFound);
        await DisposeAllAsync(alice, bobPhone, bobLaptop);
    }

    [Fact]
    public async Task ADisconnectEndsTheCallForTheOtherSide()
    {
        var (alice, bobPhone, bobLaptop, room) = await CallersAsync(ChatProtocol.Json);
        var answered = NewOffer();
        await alice.StartCall(room, answered);
        await bobPhone.CallsOffered.WaitForAsync(c => c.CallId == answered.CallId);
        await bobPhone.AnswerCall(answered.CallId, "v=0");
        await alice.CallsAnswered.WaitForAsync(a => a.CallId == answered.CallId);

        await bobPhone.DisposeAsync();
        (await alice.CallsEnded.WaitForAsync(e => e.CallId == answered.CallId)).Reason.Should().Be(CallEndReasons.Disconnected);

        var ringing = NewOffer();
        await alice.StartCall(room, ringing);
        await bobLaptop.CallsOffered.WaitForAsync(c => c.CallId == ringing.CallId);
        await alice.DisposeAsync();
        (await bobLaptop.CallsEnded.WaitForAsync(e => e.CallId == ringing.CallId)).Reason.Should().Be(CallEndReasons.Disconnected);
        await bobLaptop.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task BadCallsAreRefusedWithTheirCodesAndTheConnectionStaysUsable(ChatProtocol protocol)
    {
        var (alice, bobPhone, bobLaptop, room) = await CallersAsync(protocol);
        await using var carol = await Server.ConnectAsync(TestDefaults.UniqueUser("carol"), protocol);
        var publicRoom = TestDefaults.UniqueRoom();
        await alice.JoinRoom(publicRoom);

        await Rejected(() => alice.StartCall(publicRoom, NewOffer()), ChatErrorCodes.Forbidden, "calls are for direct rooms");
        await Rejected(() => carol.StartCall(room, NewOffer()), ChatErrorCodes.Forbidden, "carol is not in alice and bob's room");
        await Rejected(() => alice.StartCall(DirectRooms.NameFor(alice.UserId, alice.UserId), NewOffer()), ChatErrorCodes.Forbidden, "nobody calls themselves");
        await Rejected(() => alice.StartCall(room, NewOffer() with { CallId = "short" }), ChatErrorCodes.InvalidRequest);
        await Rejected(() => alice.StartCall(room, NewOffer() with { Sdp = "" }), ChatErrorCodes.InvalidRequest);
        await Rejected(() => alice.StartCall(room, NewOffer() with { Sdp = Sdp(ChatLimits.MaxSdpLength + 1) }), ChatErrorCodes.TooLarge);

        var largest = NewOffer() with { Sdp = Sdp(ChatLimits.MaxSdpLength) };
        await alice.StartCall(room, largest);
        (await bobPhone.CallsOffered.WaitForAsync(c => c.CallId == largest.CallId)).Sdp.Should().Be(largest.Sdp);
        await Rejected(() => alice.StartCall(room, largest with { Sdp = "v=0" }), ChatErrorCodes.InvalidRequest, "a callId is used once");
        await Rejected(() => bobPhone.AnswerCall(largest.CallId, Sdp(ChatLimits.MaxSdpLength + 1)), ChatErrorCodes.TooLarge);
        await Rejected(() => carol.AnswerCall(largest.CallId, "v=0"), ChatErrorCodes.CallNotFound, "the call is not carol's");
        await Rejected(() => alice.AnswerCall(largest.CallId, "v=0"), ChatErrorCodes.CallNotFound, "the caller does not answer");
        await Rejected(() => carol.EndCall(largest.CallId, CallEndReasons.Hangup), ChatErrorCodes.CallNotFound);
        await Rejected(() => alice.EndCall(largest.CallId, CallEndReasons.Timeout), ChatErrorCodes.InvalidRequest, "timeouts are the server's");
        await Rejected(() => alice.AnswerCall(Guid.NewGuid().ToString(), "v=0"), ChatErrorCodes.CallNotFound);
        await Rejected(() => alice.SendIceCandidates(largest.CallId), ChatErrorCodes.InvalidRequest, "no candidates");

        var candidate = new IceCandidate("candidate:1 1 udp 1 192.0.2.1 1 typ host", "0", 0);
        var batch = Enumerable.Repeat(candidate, ChatLimits.MaxIceCandidatesPerSend).ToArray();
        var flooded = false;
        for (var i = 0; i < 10 && !flooded; i++)
        {
            flooded = await IsRejectedWithAsync(() => alice.SendIceCandidates(largest.CallId, batch), ChatErrorCodes.RateLimited);
        }

        flooded.Should().BeTrue("a flood of candidates is cut off");
        await alice.EndCall(largest.CallId, CallEndReasons.Hangup);
        await Rejected(() => alice.EndCall(largest.CallId, CallEndReasons.Hangup), ChatErrorCodes.CallNotFound, "the call is over");
        await Rejected(() => alice.SendIceCandidates(largest.CallId, candidate), ChatErrorCodes.CallNotFound, "the call is over");

        (await alice.GetIceServers()).Should().NotBeEmpty("every refused call left the connection open");
        await alice.JoinRoom(room);
        (await alice.SendMessage(room, "still here")).Content.Should().Be("still here");
        await DisposeAllAsync(alice, bobPhone, bobLaptop);
    }

    [Fact]
    public async Task IceServersComeFromConfigurationWithTurnCredentialsCoturnAccepts()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var before = DateTimeOffset.UtcNow;

        var servers = await alice.GetIceServers();

        servers.Should().HaveCount(2);
        servers[0].Should().BeEquivalentTo(new IceServer(["stun:stun.example.org:3478"], null, null));
        servers[1].Urls.Should().Equal("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349");
        var (expiry, userId) = (servers[1].Username!.Split(':', 2)[0], servers[1].Username!.Split(':', 2)[1]);
        userId.Should().Be(alice.UserId);
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(expiry, System.Globalization.CultureInfo.InvariantCulture))
            .Should().BeCloseTo(before + TimeSpan.FromHours(2), TimeSpan.FromMinutes(1));
        servers[1].Credential.Should().Be(Convert.ToBase64String(
            System.Security.Cryptography.HMACSHA1.HashData(Encoding.UTF8.GetBytes(TurnSecret), Encoding.UTF8.GetBytes(servers[1].Username!))));
    }

    [Fact]
    public void TurnCredentialsAreCoturnsRestScheme()
    {
        var (username, credential) = TurnCredentials.Create("north-wind", "guest:alice", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        username.Should().Be("1700000000:guest:alice");
        credential.Should().Be("zjen7UoMqk2pRb05lEydK0vcIlk=", "what openssl and coturn compute for this secret and user name");
    }

    /// <summary>A ringing SDP of <paramref name="length"/> characters made of ordinary SDP lines.</summary>
    private static string Sdp(int length)
    {
        var builder = new StringBuilder("v=0\r\n", length);
        while (builder.Length < length)
        {
            builder.Append("a=x-filler:").Append('0', 60).Append("\r\n");
        }

        return builder.ToString(0, length);
    }

    private static CallOffer NewOffer(bool video = false) => new(Guid.NewGuid().ToString("N"), "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", video);

    private async Task<(TestClient Alice, TestClient BobPhone, TestClient BobLaptop, string Room)> CallersAsync(ChatProtocol protocol)
    {
        var bobName = TestDefaults.UniqueUser("bob");
        var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        var bobPhone = await Server.ConnectAsync(bobName, protocol);
        var bobLaptop = await Server.ConnectAsync(bobName, protocol);
        var room = (await alice.OpenDirect(bobPhone.UserId)).Room;
        return (alice, bobPhone, bobLaptop, room);
    }

    private static async Task DisposeAllAsync(params TestClient[] clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Calls:IceServers:0:Urls:0"] = "stun:stun.example.org:3478",
            ["Calls:IceServers:1:Urls:0"] = "turn:turn.example.org:3478?transport=udp",
            ["Calls:IceServers:1:Urls:1"] = "turns:turn.example.org:5349",
            ["Calls:TurnSecret"] = TurnSecret,
            ["Calls:TurnCredentialLifetime"] = "02:00:00",
        };
    }
}
