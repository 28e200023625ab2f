using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Webhooks;

/// <summary>Two nodes over one store: one of them at a time delivers a webhook, and it delivers the other's changes too.</summary>
public sealed class WebhookNodesTests
{
    [Fact]
    public async Task TwoNodesDeliverEachChangeOnceInOrderWhicheverNodeStoredIt()
    {
        using var directory = new TempDirectory();
        var adminName = TestDefaults.UniqueUser("admin");
        var signingKey = TestDefaults.NewSigningKey();
        var settings = WebhookSettings.For(adminName);
        await using var first = await ChatServer.StartAsync(directory.Path, settings, signingKey: signingKey);
        await using var second = await ChatServer.StartAsync(directory.Path, settings, signingKey: signingKey);
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        using (var admin = await WebhookAdmin.SignInAsync(first.BaseAddress, adminName))
        {
            await admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        }

        await using var onFirst = await first.ConnectAsync(TestDefaults.UniqueUser("one"));
        await using var onSecond = await second.ConnectAsync(TestDefaults.UniqueUser("two"));
        await onFirst.JoinRoom(room);
        await onSecond.JoinRoom(room);
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 10; i++)
        {
            sent.Add(await (i % 2 == 0 ? onFirst : onSecond).SendMessage(room, $"m{i}"));
        }

        var received = await receiver.WaitForAsync(sent.Count);
        received.Select(e => e.MessageId).Should().Equal(sent.Select(m => m.Id));
        receiver.Received.Select(r => r.Id).Should().OnlyHaveUniqueItems("a healthy receiver gets each change once: only one node delivers");
    }
}
