using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Calls;

/// <summary>Calls under other settings than <see cref="CallTests"/>: a two-second <c>Calls:RingTimeout</c>, no TURN secret.</summary>
public sealed class CallSettingsTests(CallSettingsTests.Fixture fixture) : IClassFixture<CallSettingsTests.Fixture>
{
    [Fact]
    public async Task ATurnServerWithoutCredentialsIsLeftOutOfTheIceServers()
    {
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"));

        var servers = await alice.GetIceServers();

        servers.Should().ContainSingle().Which.Should().BeEquivalentTo(new IceServer(["stun:stun.example.org:3478"], null, null));
    }

    [Fact]
    public async Task AnUnansweredCallEndsWithTimeoutForBothSides()
    {
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bobPhone = await fixture.Server.ConnectAsync(bobName);
        await using var bobLaptop = await fixture.Server.ConnectAsync(bobName);
        var room = (await alice.OpenDirect(bobPhone.UserId)).Room;
        var callId = Guid.NewGuid().ToString("N");
        var started = DateTime.UtcNow;

        await alice.StartCall(room, new CallOffer(callId, "v=0", Video: false));

        var expected = new CallEnd(callId, CallEndReasons.Timeout);
        (await alice.CallsEnded.WaitForAsync(e => e.CallId == callId)).Should().Be(expected);
        (await bobPhone.CallsEnded.WaitForAsync(e => e.CallId == callId)).Should().Be(expected);
        (await bobLaptop.CallsEnded.WaitForAsync(e => e.CallId == callId)).Should().Be(expected);
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromSeconds(1.5));
        await Infrastructure.Conversations.Rejected(() => bobPhone.AnswerCall(callId, "v=0"), ChatErrorCodes.CallNotFound);
    }

    [Fact]
    public async Task TheServerRefusesToStartWithAnIceServerThatIsNotStunOrTurn()
    {
        using var directory = new TempDirectory();

        var starting = () => ChatServer.StartAsync(directory.Path, new Dictionary<string, string?> { ["Calls:IceServers:0:Urls:0"] = "https://turn.example.org" });

        (await starting.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Message.Should().Contain("Calls:IceServers");
    }

    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Calls:RingTimeout"] = "00:00:02",
            ["Calls:IceServers:0:Urls:0"] = "stun:stun.example.org:3478",
            ["Calls:IceServers:1:Urls:0"] = "turn:turn.example.org:3478",
        };
    }
}
