using System.Globalization;
using System.Text.RegularExpressions;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Chat.Tests.Webhooks;

/// <summary>A receiver that keeps failing for the whole retry horizon (here a second) gets its webhook disabled.</summary>
public sealed partial class WebhookDisableTests(WebhookDisableTests.Fixture fixture) : IClassFixture<WebhookDisableTests.Fixture>
{
    [Fact]
    public async Task AWebhookFailingForTheWholeHorizonIsDisabledShownSoAndOnceEnabledDeliversItsBacklog()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        var failing = true;
        receiver.FailWhile(() => Volatile.Read(ref failing), StatusCodes.Status500InternalServerError);
        using var admin = await WebhookAdmin.SignInAsync(fixture.Server.BaseAddress, fixture.AdminName);
        var webhook = await admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        await using var user = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser());
        await user.JoinRoom(room);
        var unheard = await user.SendMessage(room, "nobody hears this");

        var disabled = await Eventually.MatchesAsync(() => admin.GetAsync(webhook.Id), w => !w.Enabled, because: "the horizon has passed");

        disabled.FailingSince.Should().NotBeNull();
        disabled.LastError.Should().Contain("500");
        disabled.PendingEvents.Should().BeGreaterThan(0, "what was not delivered stays in the log");
        receiver.Received.Length.Should().BeGreaterThan(1, "it was retried before being given up");
        // A counter, not the gauge: every in-process test server of a test run exports into one registry.
        var metrics = await Eventually.MatchesAsync(
            () => fixture.Server.Http.GetStringAsync(ChatRoutes.Metrics).WithTimeout(),
            text => Disablings().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) >= 1,
            because: "the disabling shows in the metrics");
        metrics.Should().MatchRegex("chat_webhook_deliveries(_total)?\\{[^}]*outcome=\"status\"");
        fixture.Server.Logs.Entries.Should().Contain(e => e.EventId.Id == 903, "the disabling is logged as a warning");

        Volatile.Write(ref failing, false);
        using (var enabled = await admin.EnableAsync(webhook.Id))
        {
            enabled.StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        }

        var later = await user.SendMessage(room, "heard at last");
        await Eventually.HoldsAsync(() => receiver.Accepted.Length >= 2, "the backlog and the new message accepted");
        receiver.Accepted.Select(e => e.MessageId).Should().Equal(unheard.Id, later.Id);
        var healthy = await Eventually.MatchesAsync(() => admin.GetAsync(webhook.Id), w => w.PendingEvents == 0);
        healthy.Should().BeEquivalentTo(new { Enabled = true, FailingSince = (DateTime?)null, LastError = (string?)null });
    }

    [GeneratedRegex(@"^chat_webhook_disablings(?:_total)?(?:\{[^}]*\})? ([0-9.eE+]+)$", RegexOptions.Multiline)]
    private static partial Regex Disablings();

    public sealed class Fixture : ChatServerFixture
    {
        public string AdminName { get; } = TestDefaults.UniqueUser("admin");

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(WebhookSettings.For(AdminName))
        {
            ["Webhooks:RetryHorizon"] = "00:00:01",
        };
    }
}
