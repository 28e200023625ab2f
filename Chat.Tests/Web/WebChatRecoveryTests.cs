using System.Runtime.CompilerServices;
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

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
