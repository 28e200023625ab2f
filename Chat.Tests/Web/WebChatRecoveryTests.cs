using System.Runtime.CompilerServices;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>The page through a server crash: it says so, reconnects by itself, and loses and repeats nothing.</summary>
public sealed class WebChatRecoveryTests(WebChatRestartFixture fixture, ITestOutputHelper output) : IClassFixture<WebChatRestartFixture>
{
    [Fact]
    public Task PagesReconnectAfterAServerRestartAndShowTheMessagesSentMeanwhileExactlyOnce() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("crash");
        var elsewhere = WebNames.Room("elsewhere");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await bob.JoinAsync(elsewhere);
        await alice.SendAsync("before the crash");
        await Expect(bob.Unread(room)).ToHaveTextAsync("1");

        await fixture.Server.KillAsync();
        foreach (var user in new[] { alice, bob })
        {
            await Expect(user.ConnectionState).ToHaveAttributeAsync("data-state", "reconnecting");
            await Expect(user.ConnectionState).ToHaveTextAsync("Reconnecting…");
        }

        // Keep the pages off the network until the messages below are stored, so they can only arrive by recovery.
        await alice.Context.SetOfflineAsync(true);
        await bob.Context.SetOfflineAsync(true);
        await Expect(alice.ConnectionState).ToHaveAttributeAsync("data-state", "offline");
        await alice.MessageInput.FillAsync("written while offline");
        await alice.MessageInput.PressAsync("Enter");
        await Expect(alice.SendError).ToContainTextAsync("You are not connected right now");
        await Expect(alice.MessageInput).ToHaveValueAsync("written while offline");

        await fixture.Server.StartAsync();
        await using (var dave = await fixture.ConnectClientAsync(WebNames.User("dave")))
        {
            await dave.JoinRoom(room);
            for (var i = 1; i <= 3; i++)
            {
                await dave.SendMessage(room, $"missed {i}");
            }
        }

        await alice.Context.SetOfflineAsync(false);
        await bob.Context.SetOfflineAsync(false);
        string[] expected = ["before the crash", "missed 1", "missed 2", "missed 3"];
        await Expect(alice.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        await Expect(alice.MessageContents).ToHaveTextAsync(expected);
        await Expect(bob.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        await Expect(bob.Unread(room)).ToHaveTextAsync("4");

        await alice.MessageInput.PressAsync("Enter");
        await Expect(alice.MessageInput).ToHaveValueAsync("");
        await Expect(alice.SendError).ToHaveTextAsync("");
        await bob.RoomButton(room).ClickAsync();
        await Expect(bob.MessageContents).ToHaveTextAsync([.. expected, "written while offline"]);
        await Expect(alice.MessageContents).ToHaveTextAsync([.. expected, "written while offline"]);
        await Expect(bob.Member(alice.UserName)).ToHaveClassAsync("member online");
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task APageThatWasOfflineShowsTheEditsDeletesAndReactionsMadeMeanwhile() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("away");
        var daveName = WebNames.User("dave");
        ChatMessage plan, secret, question;
        await using (var dave = await fixture.ConnectClientAsync(daveName))
        {
            await dave.JoinRoom(room);
            plan = await dave.SendMessage(room, "the plan");
            secret = await dave.SendMessage(room, "a secret");
            question = await dave.SendMessage(room, "a question");
        }

        // More than a join's page of messages after them: a page that comes back learns of changes to these three only
        // from the room's change log, not from the recent messages that joining again brings.
        await SeedAsync(room, seeders: 5, each: 11);

        var alice = await scenario.SignInAsync("alice");
        await alice.JoinAsync(room);
        await alice.MessageScroller.EvaluateAsync("scroller => { scroller.scrollTop = 0; }");
        await Expect(alice.MessageContents).ToHaveCountAsync(58);
        await Expect(alice.MessageContents.First).ToHaveTextAsync("the plan");

        await fixture.Server.KillAsync();
        await Expect(alice.ConnectionState).ToHaveAttributeAsync("data-state", "reconnecting");
        await alice.Context.SetOfflineAsync(true);
        await fixture.Server.StartAsync();
        await using (var dave = await fixture.ConnectClientAsync(daveName))
        {
            await dave.JoinRoom(room);
            await Change(dave, nameof(IChatHub.EditMessage), room, plan.Id, "the new plan");
            await Change(dave, nameof(IChatHub.DeleteMessage), room, secret.Id);
            await Change(dave, nameof(IChatHub.AddReaction), room, question.Id, "🎉");
            await Change(dave, nameof(IChatHub.PostMessage), room, new PostMessageRequest("the answer", "answer-1", question.Id));
        }

        await alice.Context.SetOfflineAsync(false);
        await Expect(alice.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        await Expect(alice.MessageContents.Nth(0)).ToHaveTextAsync("the new plan");
        await Expect(alice.Messages.Nth(0).Locator(".edited")).ToHaveTextAsync("edited");
        await Expect(alice.MessageContents.Nth(1)).ToHaveTextAsync("message deleted");
        await Expect(ChatPageUser.Reactions(alice.Messages.Nth(2))).ToHaveTextAsync(["🎉 1"]);
        await Expect(alice.MessageContents.Last).ToHaveTextAsync("the answer");
        await Expect(ChatPageUser.Quote(alice.Messages.Last)).ToHaveTextAsync($"{daveName} a question");
        await Expect(alice.MessageContents).ToHaveCountAsync(59);
        alice.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task APageThatMissedMoreChangesThanTheServerReplaysReloadsTheRoomAsItIsNow() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("long");
        var daveName = WebNames.User("dave");
        ChatMessage plan;
        await using (var dave = await fixture.ConnectClientAsync(daveName))
        {
            await dave.JoinRoom(room);
            plan = await dave.SendMessage(room, "the plan");
        }

        await SeedAsync(room, seeders: 5, each: 11);
        var alice = await scenario.SignInAsync("alice");
        await alice.JoinAsync(room);
        await alice.MessageScroller.EvaluateAsync("scroller => { scroller.scrollTop = 0; }");
        await Expect(alice.MessageContents.First).ToHaveTextAsync("the plan");
        await Expect(alice.LoadOlder).ToBeHiddenAsync();

        await fixture.Server.KillAsync();
        await Expect(alice.ConnectionState).ToHaveAttributeAsync("data-state", "reconnecting");
        await alice.Context.SetOfflineAsync(true);
        await fixture.Server.StartAsync();
        await using (var dave = await fixture.ConnectClientAsync(daveName))
        {
            await dave.JoinRoom(room);
            await Change(dave, nameof(IChatHub.EditMessage), room, plan.Id, "the new plan");
        }

        await SeedAsync(room, seeders: 2, each: WebChatRestartFixture.MaxReplay / 2 + 1);

        // The page starts the room over: the latest page as it is now, older ones on scrolling up, nothing stale.
        await alice.Context.SetOfflineAsync(false);
        await Expect(alice.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        await Expect(alice.MessageContents).ToHaveCountAsync(50);
        await Expect(alice.LoadOlder).ToBeVisibleAsync();
        await Expect(alice.MessageContents.Filter(new() { HasTextString = "the plan" })).ToHaveCountAsync(0);
        await alice.MessageScroller.EvaluateAsync("scroller => { scroller.scrollTop = 0; }");
        await Expect(alice.MessageContents.First).ToHaveTextAsync("the new plan");
        await Expect(alice.Messages.First.Locator(".edited")).ToHaveTextAsync("edited");
        await Expect(alice.MessageContents).ToHaveCountAsync(1 + (5 * 11) + (2 * ((WebChatRestartFixture.MaxReplay / 2) + 1)));
        alice.PageErrors.Should().BeEmpty();
    });

    /// <summary>Messages from several users at once, each within its send burst.</summary>
    private Task SeedAsync(string room, int seeders, int each) =>
        Task.WhenAll(Enumerable.Range(1, seeders).Select(async seeder =>
        {
            await using var client = await fixture.ConnectClientAsync(WebNames.User("seed"));
            await client.JoinRoom(room);
            for (var i = 1; i <= each; i++)
            {
                await client.SendMessage(room, $"seed {seeder}.{i}");
            }
        }));

    [Fact]
    public Task AfterAReconnectThePageDoesNotJoinAgainTheRoomsItsUserWasRemovedFrom() => RunAsync(async scenario =>
    {
        var kept = WebNames.Room("kept");
        var gone = WebNames.Room("gone");
        var team = WebNames.Room("team");
        var aliceName = WebNames.User("alice");
        var carol = await scenario.SignInAsync("carol");
        await using (var alice = await fixture.ConnectClientAsync(aliceName))
        {
            // Alice's joins create the public rooms: she owns them.
            await alice.JoinRoom(kept);
            await alice.JoinRoom(gone);
            await carol.JoinAsync(kept);
            await carol.JoinAsync(gone);
            await alice.CreateRoom(new CreateRoomRequest(team, RoomKinds.Private, MemberIds: [carol.UserId]));
            await carol.MyRoom(team).ClickAsync();
            await Expect(carol.RoomTitle).ToHaveTextAsync(team);

            // Removed while the page is connected: said at once in the room.
            await alice.RemoveMember(team, carol.UserId);
            await Expect(carol.RoomNotice).ToHaveTextAsync($"You were removed from this room by {aliceName}.");
            await Expect(carol.RoomButton(team)).ToHaveCountAsync(0);
        }

        await fixture.Server.KillAsync();
        await Expect(carol.ConnectionState).ToHaveAttributeAsync("data-state", "reconnecting");
        // Off the network until she is removed from a second room, so she can only learn of it on coming back.
        await carol.Context.SetOfflineAsync(true);
        await fixture.Server.StartAsync();
        await using (var alice = await fixture.ConnectClientAsync(aliceName))
        {
            await alice.RemoveMember(gone, carol.UserId);
        }

        await carol.Context.SetOfflineAsync(false);
        await Expect(carol.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        await Expect(carol.PageNotice).ToHaveTextAsync($"You are no longer a member of {gone}.");
        await Expect(carol.MyRoom(gone)).ToHaveCountAsync(0);
        await Expect(carol.MyRooms).ToHaveCountAsync(1);
        await Expect(carol.MyRoom(kept)).ToHaveClassAsync("room joined");
        await Expect(carol.RoomNotice).ToHaveTextAsync($"You were removed from this room by {aliceName}.");

        // Re-joining a public room would have made her a member again: the page did not.
        await using (var alice = await fixture.ConnectClientAsync(aliceName))
        {
            (await alice.GetMembers(gone, null, 200)).Select(m => m.UserId).Should().NotContain(carol.UserId);
            (await alice.GetMembers(kept, null, 200)).Select(m => m.UserId).Should().Contain(carol.UserId);
            await alice.JoinRoom(kept);
            await alice.SendMessage(kept, "still here?");
            await Expect(carol.Unread(kept)).ToHaveTextAsync("1");
        }

        carol.PageErrors.Should().BeEmpty();
    });

    private static Task Change(TestClient client, string method, params object?[] args) =>
        client.Connection.InvokeCoreAsync(method, args).WithTimeout();

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
