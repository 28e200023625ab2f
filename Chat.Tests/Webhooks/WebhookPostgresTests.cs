using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Chat.Tests.Webhooks;

/// <summary>The same delivery state (cursors, lease, failures) on PostgreSQL as on SQLite.</summary>
public sealed class WebhookPostgresTests(WebhookPostgresTests.Fixture fixture) : IClassFixture<WebhookPostgresTests.Fixture>
{
    [Fact]
    public async Task OnPostgresAFailingReceiverIsRetriedAndGetsEverythingInOrder()
    {
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirst(2, StatusCodes.Status502BadGateway);
        using var admin = await WebhookAdmin.SignInAsync(fixture.Server.BaseAddress, fixture.AdminName);
        var webhook = await admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited], [room]);
        await using var user = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser());
        await user.JoinRoom(room);
        var first = await user.SendMessage(room, "one");
        await user.EditMessage(room, first.Id, "one, edited");
        var second = await user.SendMessage(room, "two");

        var received = await receiver.WaitForAsync(3);

        received.Select(e => (e.Type, e.MessageId)).Should().Equal(
            (RoomEventTypes.MessagePosted, first.Id), (RoomEventTypes.MessageEdited, first.Id), (RoomEventTypes.MessagePosted, second.Id));
        receiver.Received.Should().OnlyContain(r => r.Verified);
        await Eventually.MatchesAsync(() => admin.GetAsync(webhook.Id), w => w.PendingEvents == 0 && w.FailingSince is null);
        using var deleted = await admin.DeleteAsync(webhook.Id);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    public sealed class Fixture : PostgresChatServerFixture
    {
        public string AdminName { get; } = TestDefaults.UniqueUser("admin");

        protected override IDictionary<string, string?> Settings => WebhookSettings.For(AdminName);
    }
}
