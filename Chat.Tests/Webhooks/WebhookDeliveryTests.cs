using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Chat.Tests.Webhooks;

/// <summary>
/// Webhooks against a real server and real receivers (private targets allowed: the receivers listen on loopback).
/// Short retry delays and attempt timeout, so that failures cost the tests little time.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookDeliveryTests.Fixture fixture) : IClassFixture<WebhookDeliveryTests.Fixture>, IAsyncLifetime
{
    private WebhookAdmin _admin = null!;

    public async Task InitializeAsync() => _admin = await WebhookAdmin.SignInAsync(fixture.Server.BaseAddress, fixture.AdminName);

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AReceiverGetsEveryChangeOfItsRoomInOrderSignedTheStandardWebhooksWay()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        await _admin.CreateAsync(receiver, [.. RoomEventTypes.All], [room]);
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);

        var first = await alice.SendMessage(room, "hello");
        await alice.EditMessage(room, first.Id, "hello, edited");
        await alice.AddReaction(room, first.Id, "👍");
        var second = await alice.SendMessage(room, "soon gone");
        await alice.DeleteMessage(room, second.Id);
        var log = await alice.ReadAllEventsAsync(room);

        var received = await receiver.WaitForAsync(log.Count);
        received.Should().BeEquivalentTo(log, o => o.WithStrictOrdering().Excluding(e => e.Message),
            "the receiver gets the change log as GetEventsSince shows it, in order");
        received.Select(e => e.Message?.Id).Should().Equal(log.Select(e => e.Message?.Id));
        receiver.Received.Should().OnlyContain(r => r.Verified, "every delivery verifies with the webhook's secret");
        receiver.Received.Select(r => r.Id).Should().Equal(log.Select(e => $"{room}:{e.EventSequence}"));
        using var json = JsonDocument.Parse(receiver.Received[0].Body);
        json.RootElement.GetProperty("eventSequence").GetInt64().Should().Be(1, "the payload is the hub's camelCase JSON");
    }

    [Fact]
    public async Task ChangesDeliveredLateCarryTheirMessageAsItIsNowTombstonesIncluded()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        var holding = true;
        receiver.FailWhile(() => Volatile.Read(ref holding), StatusCodes.Status503ServiceUnavailable);
        await _admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.MessageDeleted], [room]);
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        var kept = await alice.SendMessage(room, "first words");
        await alice.EditMessage(room, kept.Id, "second thoughts");
        var gone = await alice.SendMessage(room, "regrets");
        await alice.DeleteMessage(room, gone.Id);
        var log = (await alice.ReadAllEventsAsync(room)).Where(e => e.Type.StartsWith("message.", StringComparison.Ordinal)).ToList();

        Volatile.Write(ref holding, false);

        await Eventually.HoldsAsync(() => receiver.Accepted.Length >= log.Count, "every change accepted");
        var received = receiver.Accepted;
        received.Should().BeEquivalentTo(log, o => o.WithStrictOrdering());
        received.Where(e => e.MessageId == gone.Id).Should().OnlyContain(e => e.Message!.IsDeleted && e.Message.Content == "",
            "the post of a message deleted since is delivered as a tombstone");
        received.Where(e => e.MessageId == kept.Id).Should().OnlyContain(e => e.Message!.Content == "second thoughts");
    }

    [Fact]
    public async Task EventTypeAndRoomFiltersDeliverOnlyWhatWasAskedFor()
    {
        var watched = TestDefaults.UniqueRoom("watched");
        var other = TestDefaults.UniqueRoom("other");
        await using var receiver = await WebhookReceiver.StartAsync();
        await _admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [watched.ToUpperInvariant()]);
        await using var bob = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await bob.JoinRoom(watched);
        await bob.JoinRoom(other);

        await bob.SendMessage(other, "not this room");
        var wanted = await bob.SendMessage(watched, "this one");
        await bob.EditMessage(watched, wanted.Id, "an edit is not asked for");
        var last = await bob.SendMessage(watched, "and this one");

        var received = await receiver.WaitForAsync(2);
        received.Select(e => (e.Type, e.Room, e.MessageId)).Should().Equal(
            (RoomEventTypes.MessagePosted, watched, wanted.Id),
            (RoomEventTypes.MessagePosted, watched, last.Id));
        var webhook = (await _admin.ListAsync()).Single(w => w.Url == receiver.Url);
        await Eventually.MatchesAsync(() => _admin.GetAsync(webhook.Id), w => w.PendingEvents == 0, because: "the filtered-out changes are passed too");
    }

    [Fact]
    public async Task AFailingReceiverIsRetriedWithTheSameIdAndGetsEverythingInOrder()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(3, StatusCodes.Status500InternalServerError);
        var webhook = await _admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        await using var carol = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("carol"));
        await carol.JoinRoom(room);

        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await carol.SendMessage(room, $"m{i}"));
        }

        var received = await receiver.WaitForAsync(5);
        received.Select(e => e.MessageId).Should().Equal(sent.Select(m => m.Id));
        receiver.Received.Take(4).Select(r => r.Id).Should().AllBe(receiver.Received[0].Id, "a retry repeats the same change with the same webhook-id");
        receiver.Received.Should().OnlyContain(r => r.Verified);
        var healthy = await Eventually.MatchesAsync(() => _admin.GetAsync(webhook.Id), w => w.PendingEvents == 0 && w.FailingSince is null);
        healthy.Enabled.Should().BeTrue();
        healthy.LastError.Should().BeNull();
    }

    [Fact]
    public async Task AReceiverDownForAWhileGetsEverythingOnceItIsBack()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhook = await _admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        await using var dave = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("dave"));
        await dave.JoinRoom(room);
        await receiver.StopAsync();

        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await dave.SendMessage(room, $"while down {i}"));
        }

        var failing = await Eventually.MatchesAsync(() => _admin.GetAsync(webhook.Id), w => w.FailingSince is not null, because: "the refused connections show in the list");
        failing.LastError.Should().NotBeNullOrEmpty();
        failing.PendingEvents.Should().BeGreaterThan(0);
        await receiver.StartAgainAsync();

        var received = await receiver.WaitForAsync(5);
        received.Select(e => e.MessageId).Should().Equal(sent.Select(m => m.Id));
        await Eventually.MatchesAsync(() => _admin.GetAsync(webhook.Id), w => w.FailingSince is null && w.PendingEvents == 0);
    }

    [Fact]
    public async Task AHangingReceiverNeverSlowsHubSendsAndIsRetried()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hang = true;
        receiver.Answer = async context =>
        {
            if (Volatile.Read(ref hang))
            {
                // Far longer than the attempt timeout: the server gives up and closes the request.
                await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
        };
        var webhook = await _admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        await using var erin = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("erin"));
        await erin.JoinRoom(room);

        var sent = new List<ChatMessage>();
        var sending = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            sent.Add(await erin.SendMessage(room, $"m{i}"));
        }

        sending.Stop();
        await Eventually.MatchesAsync(() => _admin.GetAsync(webhook.Id), w => w.LastError is not null, because: "the first attempt times out");
        sending.Elapsed.Should().BeLessThan(Fixture.AttemptTimeout * 10,
            "20 sends are acknowledged without waiting for deliveries (each would take a whole attempt timeout: 20 s)");
        Volatile.Write(ref hang, false);

        var received = await receiver.WaitForAsync(20);
        received.Select(e => e.MessageId).Should().Equal(sent.Select(m => m.Id));
        receiver.Received.Count(r => r.Id == receiver.Received[0].Id).Should().BeGreaterThan(1, "the timed-out delivery was retried");
    }

    [Fact]
    public async Task ARedirectIsAFailureAndIsNotFollowed()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        var redirect = true;
        receiver.Answer = context =>
        {
            if (Volatile.Read(ref redirect))
            {
                context.Response.StatusCode = (int)HttpStatusCode.TemporaryRedirect;
                context.Response.Headers.Location = "/elsewhere";
            }

            return Task.CompletedTask;
        };
        var webhook = await _admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        await using var frank = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("frank"));
        await frank.JoinRoom(room);
        var sent = await frank.SendMessage(room, "where to?");

        var failing = await Eventually.MatchesAsync(() => _admin.GetAsync(webhook.Id), w => w.LastError is not null);
        failing.LastError.Should().Contain("307");
        Volatile.Write(ref redirect, false);

        await Eventually.HoldsAsync(() => receiver.Accepted.Length == 1, "the message accepted");
        receiver.Accepted.Single().MessageId.Should().Be(sent.Id);
        receiver.Received.Should().HaveCountGreaterThan(1, "the redirected attempt failed and was retried at the registered URL");
    }

    [Fact]
    public async Task TheListShowsWebhooksWithoutSecretsAndADeletedWebhookGetsNothingMore()
    {
        var room = TestDefaults.UniqueRoom();
        await using var kept = await WebhookReceiver.StartAsync();
        await using var deleted = await WebhookReceiver.StartAsync();
        var keptHook = await _admin.CreateAsync(kept, [RoomEventTypes.MessagePosted], [room]);
        var deletedHook = await _admin.CreateAsync(deleted, [RoomEventTypes.MessagePosted], [room]);
        await using var gina = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("gina"));
        await gina.JoinRoom(room);
        await gina.SendMessage(room, "to both");
        await kept.WaitForAsync(1);
        await deleted.WaitForAsync(1);

        using var listing = await new HttpClient().GetAsync(new Uri(fixture.Server.BaseAddress, ChatApiRoutes.Webhooks)).WithTimeout();
        listing.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var list = await _admin.ListAsync();
        list.Select(w => w.Id).Should().Contain([keptHook.Id, deletedHook.Id]);
        list.Single(w => w.Id == keptHook.Id).Should().BeEquivalentTo(new { Url = kept.Url, Events = new[] { RoomEventTypes.MessagePosted }, Rooms = new[] { room }, Enabled = true });
        (await (await _admin.GetListAsync()).Content.ReadAsStringAsync()).Should().NotContain("whsec_").And.NotContain("secret");

        using (var response = await _admin.DeleteAsync(deletedHook.Id))
        {
            response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        await gina.SendMessage(room, "only to the kept one");
        await kept.WaitForAsync(2);
        deleted.Distinct.Should().HaveCount(1);
        (await _admin.ListAsync()).Select(w => w.Id).Should().NotContain(deletedHook.Id);
        using var again = await _admin.DeleteAsync(deletedHook.Id);
        again.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Uploads.ProblemCodeAsync(again)).Should().Be(ChatErrorCodes.NotFound);
        using var enable = await _admin.EnableAsync(deletedHook.Id);
        enable.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not a url", "message.posted", null)]
    [InlineData("ftp://example.com/hooks", "message.posted", null)]
    [InlineData("http://user:password@example.com/hooks", "message.posted", null)]
    [InlineData("https://example.com/hooks", "message.exploded", null)]
    [InlineData("https://example.com/hooks", "", null)]
    [InlineData("https://example.com/hooks", "message.posted", "no spaces allowed")]
    [InlineData("https://example.com/hooks", "message.posted", "-leading-dash")]
    public async Task BadUrlsUnknownEventTypesAndBadRoomNamesAreRefused(string url, string events, string? room)
    {
        using var response = await _admin.PostAsync(new CreateWebhookRequest(
            url, events.Length == 0 ? [] : [events], room is null ? null : [room]));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Uploads.ProblemCodeAsync(response)).Should().Be(ChatErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task OnlyAdministratorsManageWebhooks()
    {
        using var user = await WebhookAdmin.SignInAsync(fixture.Server.BaseAddress, TestDefaults.UniqueUser("mallory"));

        using var create = await user.PostAsync(new CreateWebhookRequest("https://example.com/hooks", [RoomEventTypes.MessagePosted]));
        using var list = await user.GetListAsync();
        using var delete = await user.DeleteAsync("any");
        using var enable = await user.EnableAsync("any");

        create.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        list.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        delete.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        enable.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    public sealed class Fixture : ChatServerFixture
    {
        public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);

        public string AdminName { get; } = TestDefaults.UniqueUser("admin");

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(WebhookSettings.For(AdminName))
        {
            ["Webhooks:AttemptTimeout"] = AttemptTimeout.ToString(),
            ["Webhooks:LeaseDuration"] = "00:00:05",
        };
    }
}
