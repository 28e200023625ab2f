using System.Runtime.CompilerServices;
using Chat.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// Calls on the web page (issue #17), on a two-node cluster: the caller's page is served by node 0, the callee's by
/// node 1, so every offer, answer, candidate and hang-up crosses Redis; the media goes between the two Chromium pages
/// over loopback (fake camera and microphone).
/// </summary>
public sealed class WebCallTests(WebCallFixture fixture, ITestOutputHelper output) : IClassFixture<WebCallFixture>
{
    // Gathering candidates, ICE and DTLS on a loaded 2-core machine: more than a page expectation usually needs.
    private static readonly float ConnectTimeout = (float)TimeSpan.FromSeconds(60).TotalMilliseconds;

    [Fact]
    public Task AliceVideoCallsBobAcrossNodesBothTabsRingOneAnswersBothConnectBobSeesHerCameraIsBusyForCarolAndHerHangUpEndsItForBoth() => RunAsync(async scenario =>
    {
        var alice = await scenario.SignInAsync("alice", server: fixture.Server.BaseAddress);
        var bob = await scenario.SignInAsync("bob", server: fixture.SecondNode.BaseAddress);
        var bobTab = await scenario.OpenTabAsync(bob);
        await OpenDirectAsync(alice, bob);

        await alice.VideoCallButton.ClickAsync();
        await Expect(alice.CallStatus).ToHaveTextAsync($"Calling {bob.UserName}…");
        foreach (var tab in new[] { bob, bobTab })
        {
            await Expect(tab.IncomingCall).ToBeVisibleAsync();
            await Expect(tab.IncomingCall).ToContainTextAsync($"{alice.UserName} is calling you (video)…");
        }

        // The first tab takes the call; the other stops ringing and says where the call went.
        await bob.AcceptCall.ClickAsync();
        await Expect(bobTab.IncomingCall).ToBeHiddenAsync();
        await Expect(bobTab.CallNotice).ToHaveTextAsync($"The call from {alice.UserName} was answered on another tab or device.");
        await Expect(bobTab.CallPanel).ToBeHiddenAsync();

        foreach (var (user, other) in new[] { (alice, bob), (bob, alice) })
        {
            await Expect(user.CallPanel).ToHaveAttributeAsync("data-connection-state", "connected", new() { Timeout = ConnectTimeout });
            await Expect(user.CallPanel).ToHaveAttributeAsync("data-call-state", "connected");
            await Expect(user.CallStatus).ToHaveTextAsync($"In a call with {other.UserName}");
        }

        await RemoteVideoShouldPlayAsync(bob);
        await RemoteVideoShouldPlayAsync(alice);

        // Mute and camera switch bob's own tracks off and on; the call goes on.
        await bob.MuteMicrophone.ClickAsync();
        await Expect(bob.MuteMicrophone).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(bob.MuteMicrophone).ToHaveTextAsync("Unmute");
        (await LocalTrackEnabledAsync(bob, "audio")).Should().BeFalse();
        await bob.ToggleCamera.ClickAsync();
        await Expect(bob.ToggleCamera).ToHaveTextAsync("Camera on");
        (await LocalTrackEnabledAsync(bob, "video")).Should().BeFalse();
        await bob.MuteMicrophone.ClickAsync();
        await Expect(bob.MuteMicrophone).ToHaveTextAsync("Mute");
        (await LocalTrackEnabledAsync(bob, "audio")).Should().BeTrue();
        await Expect(bob.CallPanel).ToHaveAttributeAsync("data-connection-state", "connected");

        // A second call while bob is in one: his page answers busy, which also stops his other tab ringing.
        var carol = await scenario.SignInAsync("carol", server: fixture.Server.BaseAddress);
        await OpenDirectAsync(carol, bob);
        await Expect(bob.VideoCallButton).ToBeDisabledAsync();
        await carol.CallButton.ClickAsync();
        await Expect(carol.CallStatus).ToHaveTextAsync($"Call ended: {bob.UserName} is busy in another call.");
        await Expect(bobTab.CallNotice).ToHaveTextAsync($"The call from {carol.UserName} was refused on another tab or device.");
        await Expect(bobTab.IncomingCall).ToBeHiddenAsync();
        await Expect(bob.IncomingCall).ToBeHiddenAsync();
        await Expect(bob.CallStatus).ToHaveTextAsync($"In a call with {alice.UserName}");

        await alice.HangUp.ClickAsync();
        await Expect(alice.CallStatus).ToHaveTextAsync("Call ended: you hung up.");
        await Expect(bob.CallStatus).ToHaveTextAsync($"Call ended: {alice.UserName} hung up.");
        foreach (var user in new[] { alice, bob })
        {
            await Expect(user.CallPanel).ToHaveAttributeAsync("data-call-state", "ended");
            await Expect(user.CallPanel).ToHaveAttributeAsync("data-connection-state", "closed");
            await Expect(user.HangUp).ToBeHiddenAsync();
            (await user.Page.EvaluateAsync<bool>("() => document.getElementById('remote-video').srcObject === null")).Should().BeTrue();
        }

        await Expect(alice.VideoCallButton).ToBeEnabledAsync();
        foreach (var user in new[] { alice, bob, bobTab, carol })
        {
            user.PageErrors.Should().BeEmpty();
        }
    });

    [Fact]
    public Task ACallCancelledWhileRingingIsMissedOneDeclinedIsToldToTheCallerAndRoomsThatAreNotDirectOfferNoCall() => RunAsync(async scenario =>
    {
        var alice = await scenario.SignInAsync("alice", server: fixture.Server.BaseAddress);
        var bob = await scenario.SignInAsync("bob", server: fixture.SecondNode.BaseAddress);
        var lobby = await OpenDirectAsync(alice, bob);
        await Expect(alice.CallButton).ToBeVisibleAsync();
        await alice.RoomButton(lobby).ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync(lobby);
        await Expect(alice.CallButton).ToBeHiddenAsync();
        await Expect(alice.VideoCallButton).ToBeHiddenAsync();
        await alice.DirectRoomWith(bob.UserName).ClickAsync();

        // Alice thinks better of it while it rings: bob's banner goes, and he is told of the missed call.
        await alice.CallButton.ClickAsync();
        await Expect(bob.IncomingCall).ToContainTextAsync($"{alice.UserName} is calling you…");
        await alice.HangUp.ClickAsync();
        await Expect(alice.CallStatus).ToHaveTextAsync("Call ended: you hung up.");
        await Expect(bob.IncomingCall).ToBeHiddenAsync();
        await Expect(bob.CallNotice).ToHaveTextAsync($"Missed call from {alice.UserName}.");

        await alice.CallButton.ClickAsync();
        await Expect(bob.IncomingCall).ToContainTextAsync($"{alice.UserName} is calling you…");
        await Expect(bob.CallNotice).ToBeEmptyAsync();
        await bob.DeclineCall.ClickAsync();
        await Expect(alice.CallStatus).ToHaveTextAsync($"Call ended: {bob.UserName} declined the call.");
        await Expect(alice.CallPanel).ToHaveAttributeAsync("data-call-state", "ended");
        await Expect(bob.IncomingCall).ToBeHiddenAsync();
        await Expect(bob.CallPanel).ToBeHiddenAsync();
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task WhenBobsBrowserRefusesTheMicrophoneHisPageSaysWhyAndAliceHearsTheCallDeclined() => RunAsync(async scenario =>
    {
        var alice = await scenario.SignInAsync("alice", server: fixture.Server.BaseAddress);
        var bob = await scenario.OpenAsync("bob", server: fixture.SecondNode.BaseAddress);
        // What a browser answers when the user (or a policy) blocks the microphone.
        await bob.Context.AddInitScriptAsync(
            "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));");
        await bob.Page.ReloadAsync();
        await bob.SignInAsync();
        await OpenDirectAsync(alice, bob);

        await alice.CallButton.ClickAsync();
        await bob.AcceptCall.ClickAsync();
        await Expect(bob.CallStatus).ToHaveTextAsync("Call ended: the browser did not allow the microphone. Allow it for this page, then call again.");
        await Expect(bob.CallPanel).ToHaveAttributeAsync("data-call-state", "ended");
        await Expect(alice.CallStatus).ToHaveTextAsync($"Call ended: {bob.UserName} declined the call.");
        await Expect(bob.CallButton).ToBeHiddenAsync();
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    /// <summary>Both join a public room, and the caller opens the direct conversation from the callee's name; returns the public room.</summary>
    private static async Task<string> OpenDirectAsync(ChatPageUser caller, ChatPageUser callee)
    {
        var lobby = WebNames.Room("lobby");
        await caller.JoinAsync(lobby);
        await callee.JoinAsync(lobby);
        await Expect(caller.Member(callee.UserName)).ToHaveClassAsync("member online");
        await caller.MessageMemberButton(callee.UserName).ClickAsync();
        await Expect(caller.RoomKind).ToHaveTextAsync("Direct conversation");
        return lobby;
    }

    /// <summary>Frames, not just a stream: the remote video has a size, draws frames, and its clock moves.</summary>
    private static async Task RemoteVideoShouldPlayAsync(ChatPageUser user)
    {
        var started = await user.Page.WaitForFunctionAsync(
            "() => { const v = document.getElementById('remote-video'); return v.videoWidth > 0 && v.currentTime > 0 ? v.currentTime : false; }");
        var from = await started.JsonValueAsync<double>();
        (await user.Page.EvaluateAsync<bool>(
            "() => new Promise(resolve => document.getElementById('remote-video').requestVideoFrameCallback(() => resolve(true)))").WithTimeout()).Should().BeTrue();
        await user.Page.WaitForFunctionAsync("from => document.getElementById('remote-video').currentTime > from + 0.5", from);
    }

    private static Task<bool> LocalTrackEnabledAsync(ChatPageUser user, string kind) =>
        user.Page.EvaluateAsync<bool>(
            "kind => document.getElementById('local-video').srcObject.getTracks().find(t => t.kind === kind).enabled", kind).WithTimeout();

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
