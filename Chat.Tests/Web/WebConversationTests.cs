using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// Conversations on the web page (issue #13): direct conversations, private rooms, the room list of one's own rooms,
/// the settings dialog of owners and moderators, and what a removed, banned or muted user's page says.
/// </summary>
public sealed class WebConversationTests(WebChatServerFixture fixture, ITestOutputHelper output) : IClassFixture<WebChatServerFixture>
{
    [Fact]
    public Task AliceOpensADirectConversationWithBobAndBobSeesItAppearInHisRoomList() => RunAsync(async scenario =>
    {
        var lobby = WebNames.Room("lobby");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(lobby);
        await bob.JoinAsync(lobby);
        await Expect(alice.Member(bob.UserName)).ToHaveClassAsync("member online");
        await Expect(bob.DirectRoomWith(alice.UserName)).ToHaveCountAsync(0);

        // From a member's name: the room opens, named after the other person, never "dm-…".
        await alice.MessageMemberButton(bob.UserName).ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync(bob.UserName);
        await Expect(alice.RoomKind).ToHaveTextAsync("Direct conversation");
        await Expect(alice.MessageInput).ToBeFocusedAsync();
        var direct = await alice.Page.Locator("#room-list button[aria-current=true]").GetAttributeAsync("data-room");
        direct.Should().StartWith("dm-", "the server names direct rooms");
        await Expect(alice.DirectRoomWith(bob.UserName)).ToHaveAttributeAsync("data-room", direct!);
        await Expect(alice.DirectRoomWith(bob.UserName).Locator(".room-kind")).ToHaveTextAsync("direct");
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Leave room" })).ToBeHiddenAsync();
        await Expect(alice.SettingsButton).ToBeHiddenAsync();
        await alice.SendAsync("just between us");

        // Bob hears of it (member.added for him) without having joined it, and stays where he is.
        await Expect(bob.DirectRoomWith(alice.UserName)).ToHaveAttributeAsync("data-room", direct!);
        await Expect(bob.DirectRoomWith(alice.UserName).Locator(".room-kind")).ToHaveTextAsync("direct");
        await Expect(bob.RoomTitle).ToHaveTextAsync(lobby);
        await bob.DirectRoomWith(alice.UserName).ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync(alice.UserName);
        await Expect(bob.MessageContents).ToHaveTextAsync(["just between us"]);
        await bob.SendAsync("agreed");
        await Expect(alice.MessageContents).ToHaveTextAsync(["just between us", "agreed"]);

        // From bob's side it is the same conversation, not a second one.
        await bob.RoomButton(lobby).ClickAsync();
        await bob.MessageMemberButton(alice.UserName).ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync(alice.UserName);
        await Expect(bob.Page.Locator("#room-list button[aria-current=true]")).ToHaveAttributeAsync("data-room", direct!);
        await Expect(bob.MyRooms.And(bob.Page.Locator("[data-kind=direct]"))).ToHaveCountAsync(1);
        await Expect(bob.MessageContents).ToHaveTextAsync(["just between us", "agreed"]);

        // Nobody else sees it or gets in.
        var carol = await scenario.SignInAsync("carol");
        await Expect(carol.RoomButton(lobby)).ToBeVisibleAsync();
        await Expect(carol.RoomButton(direct!)).ToHaveCountAsync(0);
        await carol.RoomInput.FillAsync(direct!);
        await carol.RoomInput.PressAsync("Enter");
        await Expect(carol.JoinError).ToHaveTextAsync("Names starting with “dm-” are kept for direct conversations.");
        foreach (var user in new[] { alice, bob, carol })
        {
            (await user.Page.Locator(".rooms .room-name").AllTextContentsAsync()).Should().NotContain(name => name.StartsWith("dm-"));
            user.PageErrors.Should().BeEmpty();
        }
    });

    [Fact]
    public Task AModeratorKicksCarolAndCarolsPageSaysSheWasRemoved() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("team");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        var carol = await scenario.SignInAsync("carol");
        await alice.CreatePrivateRoomAsync(room, null, bob.UserName, carol.UserName);
        await Expect(alice.RoomKind).ToHaveTextAsync("Private room");
        await Expect(alice.MyRoom(room).Locator(".room-kind")).ToHaveTextAsync("private");
        foreach (var member in new[] { bob, carol })
        {
            await Expect(member.MyRoom(room).Locator(".room-kind")).ToHaveTextAsync("private");
            await member.MyRoom(room).ClickAsync();
            await Expect(member.RoomTitle).ToHaveTextAsync(room);
        }

        await carol.SendAsync("spam spam spam");
        await Expect(bob.MessageContents).ToHaveTextAsync(["spam spam spam"]);
        await Expect(ChatPageUser.Action(bob.Messages.Nth(0), "Delete")).ToHaveCountAsync(0);
        await Expect(bob.SettingsButton).ToBeHiddenAsync();

        // The owner makes bob a moderator; his page offers him moderation at once.
        await alice.OpenSettingsAsync();
        await Expect(alice.SettingsMember(alice.UserName).GetByLabel($"Role of {alice.UserName}")).ToHaveValueAsync("owner");
        await Expect(alice.SettingsMember(carol.UserName).GetByLabel($"Role of {carol.UserName}")).ToHaveValueAsync("member");
        await alice.SettingsMember(bob.UserName).GetByLabel($"Role of {bob.UserName}").SelectOptionAsync("moderator");
        await Expect(alice.SettingsStatus).ToHaveTextAsync($"{bob.UserName} is a moderator now.");
        await alice.CloseSettingsAsync();
        await Expect(bob.SettingsButton).ToBeVisibleAsync();

        // A moderator deletes anyone's message (asked once more).
        await ChatPageUser.Action(bob.Messages.Nth(0), "Delete").ClickAsync();
        await ChatPageUser.Action(bob.Messages.Nth(0), "Delete").ClickAsync();
        await Expect(carol.Messages.Nth(0).Locator(".content")).ToHaveTextAsync("message deleted");

        // ...and removes plain members; the owner is beyond his reach.
        await bob.OpenSettingsAsync();
        await Expect(bob.SettingsMember(alice.UserName).Locator(".role")).ToHaveTextAsync("owner");
        await Expect(bob.SettingsMember(alice.UserName).Locator("button, select")).ToHaveCountAsync(0);
        var row = bob.SettingsMember(carol.UserName);
        await row.GetByRole(AriaRole.Button, new() { Name = $"Remove {carol.UserName} from the room" }).ClickAsync();
        await Expect(row.Locator(".confirm-text")).ToHaveTextAsync($"Remove {carol.UserName} from the room?");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {carol.UserName}" }).ClickAsync();
        await Expect(bob.SettingsStatus).ToHaveTextAsync($"{carol.UserName} was removed.");
        await Expect(bob.SettingsMember(carol.UserName)).ToHaveCountAsync(0);

        // Carol's page says so in the room, keeps it readable, lets her write nothing, and drops it from her list.
        await Expect(carol.RoomNotice).ToHaveTextAsync($"You were removed from this room by {bob.UserName}.");
        await Expect(carol.RoomTitle).ToHaveTextAsync(room);
        await Expect(carol.MessageInput).ToBeDisabledAsync();
        await Expect(carol.RoomButton(room)).ToHaveCountAsync(0);
        await Expect(ChatPageUser.Action(carol.Messages.Nth(0), "Reply")).ToHaveCountAsync(0);
        await Expect(alice.SystemLines.Filter(new() { HasTextString = $"{bob.UserName} removed {carol.UserName}" })).ToHaveCountAsync(1);

        // She cannot come back by name, and hears nothing more of the room.
        await carol.RoomInput.FillAsync(room);
        await carol.RoomInput.PressAsync("Enter");
        await Expect(carol.JoinError).ToHaveTextAsync("That room is private: only its members can open it.");
        await alice.SendAsync("after carol");
        await Expect(bob.MessageContents).ToHaveTextAsync(["message deleted", "after carol"]);
        await Expect(carol.MessageContents).ToHaveTextAsync(["message deleted"]);
        carol.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task APrivateRoomIsMadeAndSomeoneAddedLaterSeesItAppearWhileOthersCannotFindIt() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("plans");
        var alice = await scenario.SignInAsync("alice");
        var dave = await scenario.SignInAsync("dave");
        var erin = await scenario.SignInAsync("erin");
        var nobody = WebNames.User("nobody");

        await alice.CreatePrivateRoomAsync(room, "Secret plans");
        await Expect(alice.MyRoom("Secret plans")).ToHaveAttributeAsync("data-room", room);
        await Expect(alice.MyRoom("Secret plans").Locator(".room-kind")).ToHaveTextAsync("private");
        await alice.SendAsync("first plan");

        // Errors by code, in words, under the form; what was typed stays.
        await alice.Page.Locator("#new-room-panel summary").ClickAsync();
        await alice.Page.GetByLabel("Room name", new() { Exact = true }).FillAsync(room);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(alice.Page.Locator("#new-room-error")).ToHaveTextAsync("A room of that name exists already: choose another name.");
        await alice.Page.GetByLabel("Room name", new() { Exact = true }).FillAsync(WebNames.Room("other"));
        await alice.Page.GetByLabel("People (user names)").FillAsync(nobody);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(alice.Page.Locator("#new-room-error")).ToHaveTextAsync($"Nobody called {nobody} has signed in here yet.");
        await Expect(alice.Page.GetByLabel("People (user names)")).ToHaveValueAsync(nobody);

        await alice.OpenSettingsAsync();
        var addPerson = alice.Page.GetByLabel("Add a person (user name)");
        await addPerson.FillAsync(nobody);
        await addPerson.PressAsync("Enter");
        await Expect(alice.Page.Locator("#add-member-error")).ToHaveTextAsync($"Nobody called {nobody} has signed in here yet.");
        // User ids of guests are their names in lower case: the name may be typed in any case.
        await addPerson.FillAsync(dave.UserName.ToUpperInvariant());
        await addPerson.PressAsync("Enter");
        await Expect(alice.Page.Locator("#add-member-error")).ToHaveTextAsync("");
        await Expect(alice.SettingsMember(dave.UserName).GetByLabel($"Role of {dave.UserName}")).ToHaveValueAsync("member");
        await Expect(addPerson).ToHaveValueAsync("");

        await Expect(dave.MyRoom("Secret plans").Locator(".room-kind")).ToHaveTextAsync("private");
        await dave.MyRoom("Secret plans").ClickAsync();
        await Expect(dave.RoomTitle).ToHaveTextAsync("Secret plans");
        await Expect(dave.RoomKind).ToHaveTextAsync("Private room");
        await Expect(dave.MessageContents).ToHaveTextAsync(["first plan"]);
        await Expect(dave.SettingsButton).ToBeHiddenAsync();
        await dave.SendAsync("count me in");
        await Expect(alice.MessageContents).ToHaveTextAsync(["first plan", "count me in"]);

        // Erin, no member, finds it in no list and cannot open it.
        var hall = WebNames.Room("hall");
        await erin.JoinAsync(hall);
        await Expect(erin.RoomButton(room)).ToHaveCountAsync(0);
        await erin.RoomInput.FillAsync(room);
        await erin.RoomInput.PressAsync("Enter");
        await Expect(erin.JoinError).ToHaveTextAsync("That room is private: only its members can open it.");
        await Expect(erin.RoomButton(room)).ToHaveCountAsync(0);

        // Added, then removed while she looks at another room: her page says so there, and the room leaves her list.
        await addPerson.FillAsync(erin.UserName);
        await addPerson.PressAsync("Enter");
        await Expect(erin.MyRoom("Secret plans")).ToBeVisibleAsync();
        var erinsRow = alice.SettingsMember(erin.UserName);
        await erinsRow.GetByRole(AriaRole.Button, new() { Name = $"Remove {erin.UserName} from the room" }).ClickAsync();
        await erinsRow.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {erin.UserName}" }).ClickAsync();
        await Expect(erin.PageNotice).ToHaveTextAsync($"You were removed from Secret plans by {alice.UserName}.");
        await Expect(erin.MyRoom("Secret plans")).ToHaveCountAsync(0);
        await Expect(erin.RoomTitle).ToHaveTextAsync(hall);
        erin.PageErrors.Should().BeEmpty();
        dave.PageErrors.Should().BeEmpty();
        alice.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task TitleTopicAndSlowModeChangesShowLiveAndSlowModeIsToldInWords() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("club");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        // The user whose join creates a room is its owner.
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await Expect(alice.SettingsButton).ToBeVisibleAsync();
        await Expect(bob.SettingsButton).ToBeHiddenAsync();
        await Expect(alice.RoomKind).ToHaveTextAsync("Public room");

        await alice.OpenSettingsAsync();
        await alice.Page.GetByLabel("Title", new() { Exact = true }).FillAsync("Book club");
        await alice.Page.GetByLabel("Topic", new() { Exact = true }).FillAsync("Chapter 3 on Friday");
        await alice.Page.GetByLabel("Slow mode (how often a member may post)").SelectOptionAsync("30");
        await alice.Settings.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(alice.SettingsStatus).ToHaveTextAsync("Saved.");
        await alice.CloseSettingsAsync();

        foreach (var user in new[] { alice, bob })
        {
            await Expect(user.RoomTitle).ToHaveTextAsync("Book club");
            await Expect(user.RoomTopic).ToHaveTextAsync("Chapter 3 on Friday");
            await Expect(user.MyRoom("Book club")).ToHaveAttributeAsync("data-room", room);
        }

        await Expect(bob.SystemLines.Filter(new() { HasTextString = $"{alice.UserName} renamed the room to “Book club”" })).ToHaveCountAsync(1);
        await Expect(bob.SystemLines.Filter(new() { HasTextString = $"{alice.UserName} turned slow mode on: one message per 30 s" })).ToHaveCountAsync(1);

        // A plain member waits between posts and is told how long; the owner does not.
        await bob.SendAsync("first");
        await bob.MessageInput.FillAsync("second");
        await bob.MessageInput.PressAsync("Enter");
        await Expect(bob.SendError).ToHaveTextAsync(new Regex(@"^This room is in slow mode: wait \d+ seconds?, then send again\.$"));
        await Expect(bob.MessageInput).ToHaveValueAsync("second");
        await alice.SendAsync("one");
        await alice.SendAsync("two");
        await Expect(bob.MessageContents).ToHaveTextAsync(["first", "one", "two"]);

        // An empty title clears it: the room is called by its name again.
        await alice.OpenSettingsAsync();
        await alice.Page.GetByLabel("Title", new() { Exact = true }).FillAsync("");
        await alice.Page.GetByLabel("Slow mode (how often a member may post)").SelectOptionAsync("0");
        await alice.Settings.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(alice.SettingsStatus).ToHaveTextAsync("Saved.");
        await alice.CloseSettingsAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync(room);
        await Expect(bob.RoomTopic).ToHaveTextAsync("Chapter 3 on Friday");
        await bob.MessageInput.PressAsync("Enter");
        await Expect(bob.MessageInput).ToHaveValueAsync("");
        await Expect(alice.MessageContents).ToHaveTextAsync(["first", "one", "two", "second"]);

        // The only owner cannot leave: told what to do instead.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Leave room" }).ClickAsync();
        await Expect(alice.SendError).ToHaveTextAsync("You are this room's only owner: make someone else an owner in its settings before you leave.");
        await Expect(alice.RoomTitle).ToHaveTextAsync(room);
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task AMutedThenBannedMemberIsToldInWordsAndAnUnbanLetsThemBackIn() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("forum");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await alice.OpenSettingsAsync();
        var row = alice.SettingsMember(bob.UserName);

        await row.GetByRole(AriaRole.Button, new() { Name = $"Mute {bob.UserName}", Exact = true }).ClickAsync();
        await row.GetByLabel($"Mute {bob.UserName} for").SelectOptionAsync(new SelectOptionValue { Label = "1 hour" });
        await row.GetByRole(AriaRole.Button, new() { Name = $"Mute {bob.UserName} now" }).ClickAsync();
        await Expect(row.Locator(".muted-until")).ToHaveTextAsync(new Regex("^muted until .+"));

        await Expect(bob.RoomNotice).ToHaveTextAsync(new Regex(@"^You are muted in this room until .+\.$"));
        await bob.MessageInput.FillAsync("let me speak");
        await bob.MessageInput.PressAsync("Enter");
        await Expect(bob.SendError).ToHaveTextAsync(new Regex(@"^You are muted in this room until .+\.$"));
        await Expect(bob.MessageInput).ToHaveValueAsync("let me speak");

        await row.GetByRole(AriaRole.Button, new() { Name = $"Unmute {bob.UserName}" }).ClickAsync();
        await Expect(row.Locator(".muted-until")).ToHaveCountAsync(0);
        await Expect(bob.RoomNotice).ToBeHiddenAsync();
        await bob.MessageInput.PressAsync("Enter");
        await Expect(bob.MessageInput).ToHaveValueAsync("");
        await Expect(alice.MessageContents).ToHaveTextAsync(["let me speak"]);

        await row.GetByRole(AriaRole.Button, new() { Name = $"Ban {bob.UserName}", Exact = true }).ClickAsync();
        await row.GetByLabel($"Ban {bob.UserName} for").SelectOptionAsync(new SelectOptionValue { Label = "1 day" });
        await row.GetByLabel($"Reason for banning {bob.UserName}").FillAsync("spam");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Ban {bob.UserName} now" }).ClickAsync();
        await Expect(alice.SettingsStatus).ToHaveTextAsync($"{bob.UserName} is banned.");
        await Expect(alice.SettingsMember(bob.UserName)).ToHaveCountAsync(0);
        var banned = alice.Page.Locator("#settings-banned li").Filter(new() { HasTextString = bob.UserName });
        await Expect(banned.Locator(".ban-until")).ToHaveTextAsync(new Regex("^banned until .+: spam$"));

        await Expect(bob.RoomNotice).ToHaveTextAsync(new Regex($@"^You were banned from this room until .+ by {Regex.Escape(alice.UserName)}\. Reason: spam$"));
        await Expect(bob.MessageInput).ToBeDisabledAsync();
        await Expect(bob.MyRoom(room)).ToHaveCountAsync(0);
        await bob.RoomInput.FillAsync(room);
        await bob.RoomInput.PressAsync("Enter");
        await Expect(bob.JoinError).ToHaveTextAsync("You are banned from that room.");

        await banned.GetByRole(AriaRole.Button, new() { Name = $"Unban {bob.UserName}" }).ClickAsync();
        await Expect(alice.SettingsStatus).ToHaveTextAsync($"{bob.UserName} may come back now.");
        await Expect(banned).ToHaveCountAsync(0);
        await bob.JoinAsync(room);
        await Expect(bob.RoomNotice).ToBeHiddenAsync();
        await Expect(bob.MessageInput).ToBeEnabledAsync();
        await Expect(bob.MyRoom(room)).ToBeVisibleAsync();
        await Expect(bob.JoinError).ToHaveTextAsync("");
        bob.PageErrors.Should().BeEmpty();
        alice.PageErrors.Should().BeEmpty();
    });

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
