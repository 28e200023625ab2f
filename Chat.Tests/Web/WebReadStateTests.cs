using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// Read state on the web page (issue #18): unread and mention badges from the server, the same in every tab;
/// "seen by" under the last message; the notification list and the browser's own notifications.
/// </summary>
public sealed class WebReadStateTests(WebChatServerFixture fixture, ITestOutputHelper output) : IClassFixture<WebChatServerFixture>
{
    // Stands in for the browser's Notification API and for a tab in the background, which headless Chromium cannot
    // be made to be: records what the page shows and whether it ever asked for permission by itself.
    private const string FakeBrowserNotifications = """
        window.__shown = [];
        window.__asked = 0;
        window.__hidden = false;
        class FakeNotification {
          static permission = "default";
          static requestPermission() {
            window.__asked++;
            FakeNotification.permission = "granted";
            return Promise.resolve("granted");
          }
          constructor(title, options) { window.__shown.push({ title, body: options?.body ?? "" }); }
          addEventListener() {}
          close() {}
        }
        Object.defineProperty(window, "Notification", { value: FakeNotification, configurable: true, writable: true });
        Object.defineProperty(Document.prototype, "hidden", { get: () => window.__hidden, configurable: true });
        Object.defineProperty(Document.prototype, "visibilityState", { get: () => (window.__hidden ? "hidden" : "visible"), configurable: true });
        """;

    [Fact]
    public Task BobsBadgeRisesWhileHeLooksAtAnotherRoomAndClearsInBothOfHisTabsWhenHeOpensItInOne() => RunAsync(async scenario =>
    {
        var busy = WebNames.Room("busy");
        var quiet = WebNames.Room("quiet");
        var bob = await scenario.SignInAsync("bob");
        await bob.JoinAsync(busy);
        await bob.JoinAsync(quiet);
        var bobsOtherTab = await scenario.OpenTabAsync(bob);
        await bobsOtherTab.RoomButton(busy).ClickAsync();
        await Expect(bobsOtherTab.RoomTitle).ToHaveTextAsync(busy);
        await bobsOtherTab.RoomButton(quiet).ClickAsync();
        await Expect(bobsOtherTab.RoomTitle).ToHaveTextAsync(quiet);
        ChatPageUser[] tabs = [bob, bobsOtherTab];

        await using var alice = await fixture.ConnectClientAsync(WebNames.User("alice"));
        await alice.JoinRoom(busy);
        await Post(alice, busy, "one");
        await Post(alice, busy, "two");
        foreach (var tab in tabs)
        {
            await Expect(tab.Unread(busy)).ToHaveTextAsync("2");
            await Expect(tab.Mentions(busy)).ToHaveCountAsync(0);
            await Expect(tab.Unread(quiet)).ToHaveCountAsync(0);
        }

        await Post(alice, busy, $"@{bob.UserName} look at this", bob.UserId);
        foreach (var tab in tabs)
        {
            await Expect(tab.Unread(busy)).ToHaveTextAsync("3");
            await Expect(tab.Mentions(busy)).ToHaveTextAsync("@1");
            await Expect(tab.Mentions(busy)).ToHaveAttributeAsync("aria-label", "1 mention");
        }

        // Opening the room in one tab marks it read on the server, which tells every tab of his.
        await bob.RoomButton(busy).ClickAsync();
        await Expect(bob.MessageContents).ToHaveTextAsync(["one", "two", $"@{bob.UserName} look at this"]);
        foreach (var tab in tabs)
        {
            await Expect(tab.Unread(busy)).ToHaveCountAsync(0);
            await Expect(tab.Mentions(busy)).ToHaveCountAsync(0);
        }

        await using var bobsPhone = await fixture.ConnectClientAsync(bob.UserName);
        var read = (await bobsPhone.ListMyRooms()).Single(m => m.Room.Room == busy);
        (read.UnreadCount, read.MentionCount, read.LastReadSequence).Should().Be((0, 0, 3L), "a new device sees what the tabs show");

        // What he writes himself, from any device, leaves nothing unread before it.
        await bob.RoomButton(quiet).ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync(quiet);
        await Post(alice, busy, "four");
        foreach (var tab in tabs)
        {
            await Expect(tab.Unread(busy)).ToHaveTextAsync("1");
        }

        await bobsPhone.JoinRoom(busy);
        await Post(bobsPhone, busy, "on my way");
        foreach (var tab in tabs)
        {
            await Expect(tab.Unread(busy)).ToHaveCountAsync(0);
        }

        bob.PageErrors.Should().BeEmpty();
        bobsOtherTab.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task SeenByUnderTheLastMessageNamesWhoHasReadIt() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("small");
        var elsewhere = WebNames.Room("elsewhere");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await alice.JoinAsync(elsewhere);
        await bob.JoinAsync(room);

        await bob.SendAsync("are you there?");
        await Expect(alice.Unread(room)).ToHaveTextAsync("1");
        await Expect(bob.SeenBy).ToBeHiddenAsync();

        await alice.RoomButton(room).ClickAsync();
        await Expect(bob.SeenBy).ToHaveTextAsync($"Seen by {alice.UserName}");
        await Expect(alice.SeenBy).ToBeHiddenAsync();

        // Alice has the room in view: she reads the next one as it comes.
        await bob.SendAsync("good, lunch?");
        await Expect(alice.MessageContents).ToHaveTextAsync(["are you there?", "good, lunch?"]);
        await Expect(bob.SeenBy).ToHaveTextAsync($"Seen by {alice.UserName}");

        // The sender of the last message is not listed: writing it, they read it.
        await using var carol = await fixture.ConnectClientAsync(WebNames.User("carol"));
        await carol.JoinRoom(room);
        await Post(carol, room, "me too");
        await Expect(bob.MessageContents).ToHaveTextAsync(["are you there?", "good, lunch?", "me too"]);
        await Expect(bob.SeenBy).ToHaveTextAsync($"Seen by {alice.UserName}");

        await bob.SendAsync("noon then");
        await Expect(bob.SeenBy).ToHaveTextAsync($"Seen by {alice.UserName}");
        await carol.Connection.InvokeAsync<ReadState>(nameof(IChatHub.MarkRead), room, 4L).WithTimeout();
        await Expect(bob.SeenBy).ToHaveTextAsync($"Seen by {alice.UserName} and {carol.UserName}");

        // A page opened afterwards reads the receipts from the server.
        await bob.ReloadAndSignInAsync();
        await bob.RoomButton(room).ClickAsync();
        await Expect(bob.MessageContents).ToHaveTextAsync(["are you there?", "good, lunch?", "me too", "noon then"]);
        await Expect(bob.SeenBy).ToHaveTextAsync($"Seen by {alice.UserName} and {carol.UserName}");
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task AMentionShowsUpInBobsNotificationListAndClickingItOpensTheRoom() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("plans");
        var bob = await scenario.SignInAsync("bob");
        await using var alice = await fixture.ConnectClientAsync(WebNames.User("alice"));

        await alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private, "Plans", null, [bob.UserId]));
        await alice.JoinRoom(room);
        await Expect(bob.NotificationCount).ToHaveTextAsync("1");
        await Expect(bob.MyRoom("Plans")).ToBeVisibleAsync();

        await Post(alice, room, $"@{bob.UserName} can you bring the map?", bob.UserId);
        await Expect(bob.NotificationCount).ToHaveTextAsync("2");
        // He has not opened the room on this page: its counts are read again from the server.
        await Expect(bob.Unread(room)).ToHaveTextAsync("1");
        await Expect(bob.Mentions(room)).ToHaveTextAsync("@1");

        await bob.NotificationsButton.ClickAsync();
        await Expect(bob.NotificationTitles).ToHaveTextAsync([$"{alice.UserName} mentioned you in Plans", $"{alice.UserName} added you to Plans"]);
        await Expect(bob.NotificationCount).ToBeHiddenAsync();
        await bob.Notifications.First.ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync("Plans");
        await Expect(bob.MessageWithText("can you bring the map?")).ToHaveClassAsync(new Regex("revealed"));
        await Expect(bob.NotificationsPanel).ToBeHiddenAsync();
        await Expect(bob.Unread(room)).ToHaveCountAsync(0);
        await Expect(bob.Mentions(room)).ToHaveCountAsync(0);

        // A deleted message takes its notification with it.
        var typo = await Post(alice, room, $"@{bob.UserName} tpyo", bob.UserId);
        await Expect(bob.NotificationCount).ToHaveTextAsync("1");
        await alice.DeleteMessage(room, typo.Id);
        await Expect(bob.NotificationCount).ToBeHiddenAsync();
        await bob.NotificationsButton.ClickAsync();
        await Expect(bob.NotificationTitles).ToHaveCountAsync(2);

        // The list is the server's: a reloaded page shows the same.
        await bob.ReloadAndSignInAsync();
        await bob.NotificationsButton.ClickAsync();
        await Expect(bob.NotificationTitles).ToHaveTextAsync([$"{alice.UserName} mentioned you in Plans", $"{alice.UserName} added you to Plans"]);
        await Expect(bob.NotificationCount).ToBeHiddenAsync();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task WhileThePageIsInTheBackgroundMentionsAndDirectMessagesAlsoShowAsBrowserNotificationsOnceTurnedOn() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("team");
        var bob = await scenario.OpenAsync("bob");
        await bob.Page.AddInitScriptAsync(FakeBrowserNotifications);
        await bob.Page.ReloadAsync();
        await bob.SignInAsync();
        await bob.JoinAsync(room);
        (await bob.Page.EvaluateAsync<int>("() => window.__asked")).Should().Be(0, "the page never asks for permission by itself");

        await bob.NotificationsButton.ClickAsync();
        var turnOn = bob.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Show them on this device too" });
        await turnOn.ClickAsync();
        await Expect(turnOn).ToBeHiddenAsync();
        await Expect(bob.Page.Locator("#browser-notifications-status")).ToContainTextAsync("also show on this device");
        await bob.NotificationsButton.ClickAsync();
        await bob.Page.EvaluateAsync("() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }");

        await using var alice = await fixture.ConnectClientAsync(WebNames.User("alice"));
        await alice.JoinRoom(room);
        await Post(alice, room, $"@{bob.UserName} standup?", bob.UserId);
        var direct = await alice.OpenDirect(bob.UserId);
        await alice.JoinRoom(direct.Room);
        await Post(alice, direct.Room, "got a minute?");
        await Post(alice, room, "no mention: the list only");
        await Expect(bob.NotificationCount).ToHaveTextAsync("2");
        await bob.Page.WaitForFunctionAsync("() => window.__shown.length === 2");
        Shown(await bob.Page.EvaluateAsync<JsonElement>("() => window.__shown")).Should().Equal(
            ($"{alice.UserName} mentioned you in {room}", $"@{bob.UserName} standup?"),
            ($"{alice.UserName} wrote to you", "got a minute?"));
        // In the background the room in view is not being read.
        await Expect(bob.Unread(room)).ToHaveTextAsync("2");

        await bob.Page.EvaluateAsync("() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange')); }");
        await Expect(bob.Unread(room)).ToHaveCountAsync(0);
        await Post(alice, direct.Room, "seen it?");
        await Expect(bob.NotificationCount).ToHaveTextAsync("3");
        (await bob.Page.EvaluateAsync<int>("() => window.__shown.length")).Should().Be(2, "a page in front shows its own list only");
        bob.PageErrors.Should().BeEmpty();
    });

    private static Task<ChatMessage> Post(TestClient client, string room, string content, params string[] mentions) =>
        client.PostMessage(room, new PostMessageRequest(content, Guid.NewGuid().ToString("N"), null, mentions));

    private static List<(string Title, string Body)> Shown(JsonElement shown) =>
        [.. shown.EnumerateArray().Select(n => (n.GetProperty("title").GetString()!, n.GetProperty("body").GetString()!))];

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
