using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Webhooks;

/// <summary>The delivery cursor is stored: a server killed mid-stream (kill -9) loses no change and keeps the order.</summary>
public sealed class WebhookCrashTests
{
    [Fact]
    public async Task AKilledServerLosesNoChangeAndKeepsTheOrderRepeatingOnlyTheSameWebhookIds()
    {
        using var directory = new TempDirectory();
        var adminName = TestDefaults.UniqueUser("admin");
        await using var server = await ChatServerProcess.StartAsync(directory.Path, new Dictionary<string, string?>(WebhookSettings.For(adminName))
        {
            // The killed process's lease has to run out before the restarted one (a new node) may deliver.
            ["Webhooks:AttemptTimeout"] = "00:00:01",
            ["Webhooks:LeaseDuration"] = "00:00:03",
        });
        var room = TestDefaults.UniqueRoom();
        await using var receiver = await WebhookReceiver.StartAsync();
        // The receiver holds its answer to the eleventh delivery until the kill, however fast the server delivers: the
        // kill finds deliveries still to do, and one of them sent but not yet answered.
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = _ => receiver.Distinct.Length > 10 ? killed.Task : Task.CompletedTask;
        using (var admin = await WebhookAdmin.SignInAsync(server.BaseAddress, adminName))
        {
            await admin.CreateAsync(receiver, [RoomEventTypes.MessagePosted], [room]);
        }

        var sent = await SendAsync(server, room, "before", 60);
        await receiver.WaitForAsync(11);
        await server.KillAsync();
        receiver.Answer = null;
        killed.SetResult();
        receiver.Distinct.Length.Should().BeLessThan(sent.Count, "the kill came while deliveries were under way");
        await server.StartAsync();
        sent.AddRange(await SendAsync(server, room, "after", 10));

        var received = await receiver.WaitForAsync(sent.Count, TimeSpan.FromSeconds(60));
        received.Select(e => e.MessageId).Should().Equal(sent.Select(m => m.Id), "every acknowledged message is delivered, in order");
        var highest = 0L;
        foreach (var delivery in receiver.Received)
        {
            delivery.Event.EventSequence.Should().BeLessThanOrEqualTo(highest + 1, "a change is never delivered before the one before it");
            highest = Math.Max(highest, delivery.Event.EventSequence);
        }

        receiver.Received.Should().OnlyContain(r => r.Verified && r.Id == $"{room}:{r.Event.EventSequence}",
            "a repeat after the crash is the same change under the same webhook-id");
    }

    private static async Task<List<ChatMessage>> SendAsync(ChatServerProcess server, string room, string prefix, int count)
    {
        var userName = TestDefaults.UniqueUser(prefix);
        await using var connection = new HubConnectionBuilder()
            .WithUrl(server.HubUrl, o => o.AccessTokenProvider = async () => await WebhookAdmin.TokenAsync(server.BaseAddress, userName))
            .Build();
        await connection.StartAsync().WithTimeout();
        await connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room).WithTimeout();
        var sent = new List<ChatMessage>();
        for (var i = 0; i < count; i++)
        {
            sent.Add(await connection.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, $"{prefix} {i}", $"{prefix}-{i}").WithTimeout());
        }

        return sent;
    }
}
