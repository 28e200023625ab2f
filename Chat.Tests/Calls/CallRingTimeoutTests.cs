using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Calls;

/// <summary>An unanswered call ends by itself (<c>Calls:RingTimeout</c>, two seconds here).</summary>
public sealed class CallRingTimeoutTests(CallRingTimeoutTests.Fixture fixture) : IClassFixture<CallRingTimeoutTests.Fixture>
{
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

    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Calls:RingTimeout"] = "00:00:02" };
    }
}
