using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>The web page at <c>/</c>, driven in headless Chromium against a real server process.</summary>
public sealed class WebChatTests(WebChatServerFixture fixture, ITestOutputHelper output) : IClassFixture<WebChatServerFixture>
{
    // An odd offset with no daylight saving: times on the page must be the browser's local time, not UTC.
    private static readonly TimeSpan KathmanduOffset = new(5, 45, 0);

    [Fact]
    public Task TwoUsersExchangeMessagesAndSeeEachOthersTypingAndPresence() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("general");
        var alice = await scenario.SignInAsync("alice", new() { TimezoneId = "Asia/Kathmandu" });
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        await Expect(alice.SystemLines.Last).ToHaveTextAsync($"{bob.UserName} joined");
        await Expect(alice.Member(bob.UserName)).ToHaveClassAsync("member online");
        await Expect(bob.Member(alice.UserName)).ToHaveClassAsync("member online");
        await Expect(alice.RoomButton(room).Locator(".member-count")).ToHaveTextAsync("2 members");

        await bob.MessageInput.PressSequentiallyAsync("hel");
        await Expect(alice.TypingLine).ToHaveTextAsync($"{bob.UserName} is typing…");
        await bob.MessageInput.PressSequentiallyAsync("lo alice");
        await bob.MessageInput.PressAsync("Enter");

        await Expect(alice.MessageContents).ToHaveTextAsync(["hello alice"]);
        await Expect(alice.TypingLine).ToHaveTextAsync("");
        await Expect(alice.Messages.Last).Not.ToHaveClassAsync(new Regex("own"));
        await Expect(alice.Messages.Last.Locator(".sender")).ToHaveTextAsync(bob.UserName);
        await Expect(bob.Messages.Last).ToHaveClassAsync("message own");
        await Expect(bob.MessageInput).ToHaveValueAsync("");

        await alice.SendAsync("hi bob");
        await Expect(bob.MessageContents).ToHaveTextAsync(["hello alice", "hi bob"]);
        await Expect(alice.Messages.Last).ToHaveClassAsync("message own");

        var time = alice.Messages.Last.Locator("time");
        var sentAt = DateTimeOffset.Parse(await time.GetAttributeAsync("datetime") ?? "", CultureInfo.InvariantCulture);
        await Expect(time).ToHaveTextAsync(sentAt.ToOffset(KathmanduOffset).ToString("HH:mm", CultureInfo.InvariantCulture));

        var carol = await scenario.SignInAsync("carol");
        await carol.JoinAsync(room);
        await Expect(carol.MessageContents).ToHaveTextAsync(["hello alice", "hi bob"]);
        await bob.MessageInput.PressSequentiallyAsync("one more");
        await carol.MessageInput.PressSequentiallyAsync("me too");
        await Expect(alice.TypingLine).ToHaveTextAsync($"{bob.UserName} and {carol.UserName} are typing…");

        await carol.MessageInput.FillAsync("");
        await Expect(alice.TypingLine).ToHaveTextAsync($"{bob.UserName} is typing…");

        await scenario.CloseAsync(bob);
        await Expect(alice.SystemLines.Last).ToHaveTextAsync($"{bob.UserName} left");
        await Expect(alice.Member(bob.UserName)).ToHaveClassAsync("member offline");
        await Expect(alice.Member(bob.UserName).Locator(".member-status")).ToHaveTextAsync("offline");
        await Expect(alice.TypingLine).ToHaveTextAsync("");
        await Expect(alice.Member(carol.UserName)).ToHaveClassAsync("member online");
        alice.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task TwoPeopleReplyReactEditAndDeleteAndEachSeesTheOthersChangesLive() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("lunch");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await Expect(bob.Member(alice.UserName)).ToHaveClassAsync("member online");
        await alice.SendAsync("lunch at noon?");
        var answer = $"@{alice.UserName} yes, see you there";

        // Reply: the composer says to what; Escape takes it back.
        await ChatPageUser.Action(bob.Messages.Nth(0), "Reply").ClickAsync();
        await Expect(bob.ComposerContext).ToHaveTextAsync($"Replying to {alice.UserName} lunch at noon?");
        await Expect(bob.MessageInput).ToBeFocusedAsync();
        await bob.MessageInput.PressAsync("Escape");
        await Expect(bob.ComposerContext).ToBeHiddenAsync();
        await ChatPageUser.Action(bob.Messages.Nth(0), "Reply").ClickAsync();
        await bob.SendAsync(answer);
        await Expect(bob.ComposerContext).ToBeHiddenAsync();

        var reply = alice.Messages.Nth(1);
        await Expect(alice.MessageContents).ToHaveTextAsync(["lunch at noon?", answer]);
        await Expect(ChatPageUser.Quote(reply)).ToHaveTextAsync($"{alice.UserName} lunch at noon?");
        await Expect(reply).ToHaveClassAsync(new Regex("mentions-me"));
        await Expect(reply.Locator(".mention")).ToHaveTextAsync($"@{alice.UserName}");
        await Expect(ChatPageUser.Quote(bob.Messages.Nth(1))).ToHaveTextAsync($"{alice.UserName} lunch at noon?");
        await Expect(bob.Messages.Nth(1)).Not.ToHaveClassAsync(new Regex("mentions-me"));

        // Reactions: a pick adds one; a chip toggles the viewer's own.
        var bobsReply = bob.Messages.Nth(1);
        await alice.ReactAsync(reply, "👍");
        await Expect(ChatPageUser.Reactions(reply)).ToHaveTextAsync(["👍 1"]);
        await Expect(ChatPageUser.Reactions(reply)).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(ChatPageUser.Reactions(bobsReply)).ToHaveTextAsync(["👍 1"]);
        await Expect(ChatPageUser.Reactions(bobsReply)).ToHaveAttributeAsync("aria-pressed", "false");
        await ChatPageUser.Reactions(bobsReply).ClickAsync();
        await Expect(ChatPageUser.Reactions(reply)).ToHaveTextAsync(["👍 2"]);
        await Expect(ChatPageUser.Reactions(bobsReply)).ToHaveAttributeAsync("aria-pressed", "true");
        await ChatPageUser.Reactions(bobsReply).ClickAsync();
        await Expect(ChatPageUser.Reactions(reply)).ToHaveTextAsync(["👍 1"]);
        await Expect(ChatPageUser.Reactions(bobsReply)).ToHaveAttributeAsync("aria-pressed", "false");
        await bob.ReactAsync(bob.Messages.Nth(0), "🎉");
        await Expect(ChatPageUser.Reactions(alice.Messages.Nth(0))).ToHaveTextAsync(["🎉 1"]);

        // Edit: the others see the new text, marked, and the reply quotes it.
        await ChatPageUser.Action(alice.Messages.Nth(0), "Edit").ClickAsync();
        await Expect(alice.ComposerContext).ToHaveTextAsync("Editing your message");
        await Expect(alice.MessageInput).ToHaveValueAsync("lunch at noon?");
        await Expect(alice.SendButton).ToHaveTextAsync("Save");
        await alice.SendAsync("lunch at one?");
        await Expect(alice.SendButton).ToHaveTextAsync("Send");
        await Expect(bob.MessageContents).ToHaveTextAsync(["lunch at one?", answer]);
        await Expect(bob.Messages.Nth(0).Locator(".edited")).ToHaveTextAsync("edited");
        await Expect(ChatPageUser.Quote(bobsReply)).ToHaveTextAsync($"{alice.UserName} lunch at one?");
        await Expect(ChatPageUser.Reactions(bob.Messages.Nth(0))).ToHaveTextAsync(["🎉 1"]);

        await bob.MessageInput.PressSequentiallyAsync("sounds");
        await Expect(alice.TypingLine).ToHaveTextAsync($"{bob.UserName} is typing…");
        await WriteDocsScreenshotAsync(alice);
        await bob.MessageInput.FillAsync("");

        // Delete asks once more, then leaves "message deleted" in place for everyone.
        await bob.SendAsync("a typo");
        await Expect(alice.MessageContents).ToHaveTextAsync(["lunch at one?", answer, "a typo"]);
        var typo = bob.Messages.Nth(2);
        await ChatPageUser.Action(typo, "Delete").ClickAsync();
        await Expect(typo.Locator(".actions")).ToContainTextAsync("Delete for everyone?");
        await ChatPageUser.Action(typo, "Delete").ClickAsync();
        await Expect(alice.MessageContents).ToHaveTextAsync(["lunch at one?", answer, "message deleted"]);
        await Expect(bob.MessageContents).ToHaveTextAsync(["lunch at one?", answer, "message deleted"]);
        await Expect(typo.Locator(".actions")).ToHaveCountAsync(0);

        await ChatPageUser.Action(alice.Messages.Nth(0), "Delete").ClickAsync();
        await ChatPageUser.Action(alice.Messages.Nth(0), "Delete").ClickAsync();
        await Expect(bob.MessageContents).ToHaveTextAsync(["message deleted", answer, "message deleted"]);
        await Expect(ChatPageUser.Quote(bobsReply)).ToHaveTextAsync($"{alice.UserName} deleted message");
        await Expect(ChatPageUser.Reactions(bob.Messages.Nth(0))).ToHaveCountAsync(0);

        // A page loaded afresh shows the room as it is now.
        await alice.ReloadAndSignInAsync();
        await alice.JoinAsync(room);
        await Expect(alice.MessageContents).ToHaveTextAsync(["message deleted", answer, "message deleted"]);
        await Expect(alice.Messages.Nth(0).Locator(".edited")).ToHaveCountAsync(0);
        await Expect(ChatPageUser.Quote(reply)).ToHaveTextAsync($"{alice.UserName} deleted message");
        await Expect(ChatPageUser.Reactions(reply)).ToHaveTextAsync(["👍 1"]);
        await Expect(ChatPageUser.Reactions(reply)).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(reply).ToHaveClassAsync(new Regex("mentions-me"));
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task AReactionChipTakesBackYoursAlsoWhenTenOthersReactedFirst() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("popular");
        var alice = await scenario.SignInAsync("alice");
        await alice.JoinAsync(room);
        await alice.SendAsync("free cake in the kitchen");
        var cake = alice.Messages.Nth(0);
        var messageId = await cake.GetAttributeAsync("data-id");
        await Task.WhenAll(Enumerable.Range(1, ChatLimits.MaxReactionUserIds).Select(async _ =>
        {
            await using var fan = await fixture.ConnectClientAsync(WebNames.User("fan"));
            await fan.JoinRoom(room);
            await fan.Connection.InvokeAsync<ChatMessage>(nameof(IChatHub.AddReaction), room, messageId, "🎉").WithTimeout();
        }));
        await Expect(ChatPageUser.Reactions(cake)).ToHaveTextAsync(["🎉 10"]);

        // Alice is the 11th: the message lists only the first 10 who reacted, so her chip cannot show hers.
        await ChatPageUser.Reactions(cake).ClickAsync();
        await Expect(ChatPageUser.Reactions(cake)).ToHaveTextAsync(["🎉 11"]);
        await ChatPageUser.Reactions(cake).ClickAsync();
        await Expect(ChatPageUser.Reactions(cake)).ToHaveTextAsync(["🎉 10"]);
        await Expect(alice.SendError).ToHaveTextAsync("");
    });

    [Fact]
    public Task UnreadCountRisesForARoomNotInViewAndClearsWhenItIsOpened() => RunAsync(async scenario =>
    {
        var busy = WebNames.Room("busy");
        var quiet = WebNames.Room("quiet");
        var alice = await scenario.SignInAsync("alice");
        var carol = await scenario.SignInAsync("carol");
        await alice.JoinAsync(busy);
        await carol.JoinAsync(busy);
        await carol.JoinAsync(quiet);

        await alice.SendAsync("first");
        await Expect(carol.Unread(busy)).ToHaveTextAsync("1");
        await alice.SendAsync("second");
        await Expect(carol.Unread(busy)).ToHaveTextAsync("2");
        await Expect(carol.Unread(quiet)).ToHaveCountAsync(0);

        await carol.RoomButton(busy).ClickAsync();
        await Expect(carol.RoomTitle).ToHaveTextAsync(busy);
        await Expect(carol.Unread(busy)).ToHaveCountAsync(0);
        await Expect(carol.MessageContents).ToHaveTextAsync(["first", "second"]);

        await carol.SendAsync("read them");
        await Expect(alice.MessageContents).ToHaveTextAsync(["first", "second", "read them"]);
        await Expect(alice.Unread(busy)).ToHaveCountAsync(0);

        await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Leave room" }).ClickAsync();
        await Expect(carol.RoomTitle).ToHaveTextAsync(quiet);
        await Expect(carol.RoomButton(busy)).Not.ToHaveClassAsync(new Regex("joined"));
        await Expect(alice.SystemLines.Last).ToHaveTextAsync($"{carol.UserName} left");
        await Expect(alice.Member(carol.UserName)).ToHaveCountAsync(0);
    });

    [Fact]
    public Task MessageContentIsShownAsTextAndNeverRunsAsHtml() => RunAsync(async scenario =>
    {
        const string imageAttack = "<img src=x onerror=alert(1)>";
        const string scriptAttack = "<script>alert(2)</script><b>not bold</b>";
        var room = WebNames.Room("xss");
        var mallory = await scenario.SignInAsync("mallory");
        var bob = await scenario.SignInAsync("bob");
        await mallory.JoinAsync(room);
        await bob.JoinAsync(room);

        await mallory.SendAsync(imageAttack);
        await mallory.SendAsync(scriptAttack);

        foreach (var user in new[] { bob, mallory })
        {
            await Expect(user.MessageContents).ToHaveTextAsync([imageAttack, scriptAttack]);
            (await user.Page.Locator("#message-list img, #message-list script, #message-list b").CountAsync()).Should().Be(0);
            user.Dialogs.Should().BeEmpty();
            user.PageErrors.Should().BeEmpty();
        }

        // A reply quotes the attack as text too.
        await ChatPageUser.Action(bob.Messages.Nth(0), "Reply").ClickAsync();
        await Expect(bob.ComposerContext).ToContainTextAsync(imageAttack);
        await bob.SendAsync("quoted");
        await Expect(ChatPageUser.Quote(mallory.Messages.Nth(2))).ToHaveTextAsync($"{mallory.UserName} {imageAttack}");
        (await mallory.Page.Locator("#message-list img").CountAsync()).Should().Be(0);

        // A later visitor gets the same text through history, not live.
        var carol = await scenario.SignInAsync("carol");
        await carol.JoinAsync(room);
        await Expect(carol.MessageContents).ToHaveTextAsync([imageAttack, scriptAttack, "quoted"]);
        await Expect(ChatPageUser.Quote(carol.Messages.Nth(2))).ToHaveTextAsync($"{mallory.UserName} {imageAttack}");
        (await carol.Page.Locator("#message-list img").CountAsync()).Should().Be(0);
        carol.Dialogs.Should().BeEmpty();
    });

    [Fact]
    public Task ErrorsAreToldInWordsAndWhatTheUserTypedIsKept() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("errors");
        var alice = await scenario.SignInAsync("alice");

        await alice.RoomInput.FillAsync("Bad Room!");
        await alice.RoomInput.PressAsync("Enter");
        await Expect(alice.JoinError).ToContainTextAsync("That room name is not valid");
        await Expect(alice.RoomInput).ToHaveValueAsync("Bad Room!");

        await alice.JoinAsync(room);
        await Expect(alice.JoinError).ToHaveTextAsync("");
        var tooLong = new string('x', 4001);
        await alice.MessageInput.FillAsync(tooLong);
        await alice.MessageInput.PressAsync("Enter");
        await Expect(alice.SendError).ToHaveTextAsync("That message is too long: at most 4000 characters.");
        await Expect(alice.MessageInput).ToHaveValueAsync(tooLong);

        // The fixture allows a burst of 8, then 1 message/s: sending as fast as the page acknowledges runs into the limit.
        var limited = false;
        for (var attempt = 1; attempt <= WebChatServerFixture.Burst + 12 && !limited; attempt++)
        {
            var text = $"burst {attempt}";
            await alice.MessageInput.FillAsync(text);
            await alice.MessageInput.PressAsync("Enter");
            await alice.Page.WaitForFunctionAsync(
                "text => document.querySelector('#message-input').value !== text || document.querySelector('#send-error').textContent !== ''",
                text);
            if (await alice.SendError.TextContentAsync() is { Length: > 0 } error)
            {
                error.Should().Be("You are sending too fast. Wait a moment, then send again.");
                await Expect(alice.MessageInput).ToHaveValueAsync(text);
                limited = true;
            }
        }

        limited.Should().BeTrue("a burst beyond the limit is refused");
        alice.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task OlderMessagesLoadWhenScrollingUp() => RunAsync(async scenario =>
    {
        const int Senders = 8;
        var room = WebNames.Room("history");
        // Each seeder stays within its own burst; together they write more than one page of history.
        var seeded = await Task.WhenAll(Enumerable.Range(1, Senders).Select(async sender =>
        {
            await using var client = await fixture.ConnectClientAsync(WebNames.User("seed"));
            await client.JoinRoom(room);
            var sent = new List<ChatMessage>();
            for (var i = 1; i <= WebChatServerFixture.Burst; i++)
            {
                sent.Add(await client.SendMessage(room, $"seed {sender}.{i}"));
            }

            return sent;
        }));

        var expected = seeded.SelectMany(sent => sent).OrderBy(m => m.Sequence).Select(m => m.Content).ToArray();
        var alice = await scenario.SignInAsync("alice");
        await alice.JoinAsync(room);
        await Expect(alice.MessageContents).ToHaveTextAsync(expected[^50..]);
        await Expect(alice.LoadOlder).ToBeVisibleAsync();

        await alice.MessageScroller.EvaluateAsync("scroller => { scroller.scrollTop = 0; }");

        await Expect(alice.MessageContents).ToHaveTextAsync(expected);
        await Expect(alice.LoadOlder).ToBeHiddenAsync();
        // The messages the user was looking at stay in place: the newest is still far below.
        await Expect(alice.MessageContents.Last).Not.ToBeInViewportAsync();
    });

    [Fact]
    public Task KeyboardAloneWorksOnANarrowPhoneScreen() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("phone");
        var phone = await scenario.OpenAsync("phone", new() { ViewportSize = new() { Width = 360, Height = 740 }, IsMobile = true, HasTouch = true });
        var keyboard = phone.Page.Keyboard;

        await Expect(phone.UserNameInput).ToBeFocusedAsync();
        await keyboard.TypeAsync(phone.UserName);
        await keyboard.PressAsync("Enter");
        await Expect(phone.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        await Expect(phone.RoomInput).ToBeFocusedAsync();
        await keyboard.TypeAsync(room);
        await keyboard.PressAsync("Enter");
        await Expect(phone.RoomTitle).ToHaveTextAsync(room);
        await Expect(phone.MessageInput).ToBeFocusedAsync();
        await keyboard.TypeAsync("typed on a phone");
        await keyboard.PressAsync("Enter");
        await Expect(phone.MessageContents).ToHaveTextAsync(["typed on a phone"]);
        await Expect(phone.MessageInput).ToBeFocusedAsync();

        await keyboard.PressAsync("Tab");
        await Expect(phone.Page.Locator("#send")).ToBeFocusedAsync();
        var outline = await phone.Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        outline.Should().NotBe("none", "keyboard focus is visible");

        await Expect(phone.MessageInput).ToBeInViewportAsync();
        await Expect(phone.Page.Locator("#send")).ToBeInViewportAsync();
        // A message's actions come just before the input: react with Shift+Tab and Enter, edit the last message with Up.
        var message = phone.Messages.Last;
        await phone.MessageInput.FocusAsync();
        await keyboard.PressAsync("Shift+Tab");
        await Expect(ChatPageUser.Action(message, "Delete")).ToBeFocusedAsync();
        await keyboard.PressAsync("Shift+Tab");
        await keyboard.PressAsync("Shift+Tab");
        await Expect(ChatPageUser.Action(message, "React")).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");
        await Expect(message.Locator(".picker button").First).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");
        await Expect(ChatPageUser.Reactions(message)).ToHaveTextAsync(["👍 1"]);
        await Expect(ChatPageUser.Action(message, "React")).ToBeFocusedAsync();
        await phone.MessageInput.FocusAsync();
        await keyboard.PressAsync("ArrowUp");
        await Expect(phone.ComposerContext).ToHaveTextAsync("Editing your message");
        await keyboard.TypeAsync("!");
        await keyboard.PressAsync("Enter");
        await Expect(phone.MessageContents).ToHaveTextAsync(["typed on a phone!"]);
        await Expect(message.Locator(".edited")).ToBeVisibleAsync();
        await Expect(phone.MessageInput).ToBeFocusedAsync();

        var overflow = await phone.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        overflow.Should().BeLessThanOrEqualTo(0, "nothing sticks out sideways on a narrow screen");
    });

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);

    /// <summary>The README's picture of the page; refreshed only when asked, so test runs leave the work tree alone.</summary>
    private async Task WriteDocsScreenshotAsync(ChatPageUser user)
    {
        if (Environment.GetEnvironmentVariable("CHAT_WRITE_DOCS_SCREENSHOT") == "1")
        {
            var path = Path.Combine(RepositoryPaths.Root, "docs", "images", "web-chat.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // No hover highlight left where the test last clicked.
            await user.Page.Mouse.MoveAsync(0, 0);
            await user.Page.ScreenshotAsync(new() { Path = path });
            output.WriteLine($"Wrote {path}");
        }
    }
}
