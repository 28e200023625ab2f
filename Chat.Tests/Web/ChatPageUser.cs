using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// One person using the web page: their own browser context (cookies, storage, network) and one tab; more tabs of
/// the same person share the context (<see cref="OpenTabAsync"/>).
/// </summary>
public sealed class ChatPageUser : IAsyncDisposable
{
    private readonly bool _ownsContext;

    private ChatPageUser(string userName, IBrowserContext context, IPage page, bool ownsContext = true)
    {
        _ownsContext = ownsContext;
        UserName = userName;
        Context = context;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.PageError += (_, error) => PageErrors.Add(error);
    }

    public string UserName { get; }

    public string UserId => "guest:" + UserName.ToLowerInvariant();

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Every alert/confirm/prompt the page opened: a chat page never opens one, so any entry is a script that ran.</summary>
    public ConcurrentBag<string> Dialogs { get; } = [];

    /// <summary>Uncaught script errors of the page.</summary>
    public ConcurrentBag<string> PageErrors { get; } = [];

    public ILocator ConnectionState => Page.Locator("#connection-state");

    public ILocator UserNameInput => Page.GetByLabel("User name", new() { Exact = true });

    public ILocator RoomInput => Page.GetByLabel("Join or create a room");

    public ILocator MessageInput => Page.GetByLabel("Message", new() { Exact = true });

    public ILocator RoomTitle => Page.Locator("#room-title");

    /// <summary>Every message of the room in view, in page order.</summary>
    public ILocator Messages => Page.Locator("#message-list li.message");

    /// <summary>The text of every message of the room in view, in page order.</summary>
    public ILocator MessageContents => Page.Locator("#message-list li.message .content");

    public ILocator SystemLines => Page.Locator("#message-list li.system .system-text");

    public ILocator TypingLine => Page.Locator("#typing");

    public ILocator JoinError => Page.Locator("#join-error");

    public ILocator SendError => Page.Locator("#send-error");

    public ILocator LoadOlder => Page.Locator("#load-older");

    public ILocator MessageScroller => Page.Locator("#messages");

    /// <summary>The line above the input that says what the composer is doing (replying to whom, editing).</summary>
    public ILocator ComposerContext => Page.Locator("#composer-context-text");

    public ILocator SendButton => Page.Locator("#send");

    public static async Task<ChatPageUser> OpenAsync(IBrowser browser, Uri baseAddress, string userName, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = baseAddress.ToString();
        options.Locale ??= "en-GB";
        options.ViewportSize ??= new ViewportSize { Width = 1100, Height = 720 };
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout((float)WebChatFixture.ExpectTimeout.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var user = new ChatPageUser(userName, context, page);
        await page.GotoAsync("/");
        return user;
    }

    /// <summary>Another tab of the same person (same browser context), signed in with the name the page remembers.</summary>
    public async Task<ChatPageUser> OpenTabAsync()
    {
        var page = await Context.NewPageAsync();
        var tab = new ChatPageUser(UserName, Context, page, ownsContext: false);
        await page.GotoAsync("/");
        await Expect(tab.UserNameInput).ToHaveValueAsync(UserName);
        await tab.UserNameInput.PressAsync("Enter");
        await Expect(tab.ConnectionState).ToHaveAttributeAsync("data-state", "connected");
        return tab;
    }

    /// <summary>A room in either list (the user's rooms, or the other public rooms), by its name.</summary>
    public ILocator RoomButton(string room) => Page.Locator($".rooms button[data-room=\"{room}\"]");

    /// <summary>The user's rooms (ListMyRooms and the rooms joined on the page), in page order.</summary>
    public ILocator MyRooms => Page.Locator("#room-list button[data-room]");

    /// <summary>One of the user's rooms by the name shown for it (a title, or the other person of a direct room).</summary>
    public ILocator MyRoom(string label) =>
        MyRooms.Filter(new() { Has = Page.Locator(".room-name", new() { HasTextRegex = ExactText(label) }) });

    /// <summary>The direct conversation with a user, as the room list shows it: by that user's name.</summary>
    public ILocator DirectRoomWith(string userName) => MyRoom(userName).And(Page.Locator("[data-kind=direct]"));

    /// <summary>The kind of the room in view, in words ("Private room", "Direct conversation").</summary>
    public ILocator RoomKind => Page.Locator("#room-kind");

    public ILocator RoomTopic => Page.Locator("#room-topic");

    /// <summary>Why the user cannot write in the room in view (removed, banned, muted).</summary>
    public ILocator RoomNotice => Page.Locator("#room-notice");

    /// <summary>Removal notices about rooms not in view.</summary>
    public ILocator PageNotice => Page.Locator("#page-notice");

    public ILocator SettingsButton => Page.GetByRole(AriaRole.Button, new() { Name = "Room settings", Exact = true });

    public ILocator Settings => Page.Locator("dialog#settings");

    public ILocator SettingsStatus => Page.Locator("#settings-status");

    public ILocator SettingsMembersError => Page.Locator("#settings-members-error");

    /// <summary>A lasting member's row in the settings dialog.</summary>
    public ILocator SettingsMember(string userName) =>
        Page.Locator("#settings-members li.settings-member").Filter(new() { Has = Page.Locator(".member-name", new() { HasTextRegex = ExactText(userName, orYou: true) }) });

    /// <summary>The "Message" button of a member in the members panel: starts the direct conversation.</summary>
    public ILocator MessageMemberButton(string userName) =>
        Page.GetByRole(AriaRole.Button, new() { Name = $"Message {userName}", Exact = true });

    public async Task OpenSettingsAsync()
    {
        await SettingsButton.ClickAsync();
        await Expect(Settings).ToBeVisibleAsync();
    }

    public async Task CloseSettingsAsync()
    {
        await Settings.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await Expect(Settings).ToBeHiddenAsync();
    }

    /// <summary>Makes a private room through the page's form, with people by user name, and waits until it is in view.</summary>
    public async Task CreatePrivateRoomAsync(string room, string? title = null, params string[] people)
    {
        var panel = Page.Locator("#new-room-panel");
        if (await panel.GetAttributeAsync("open") is null)
        {
            await panel.Locator("summary").ClickAsync();
        }

        await Page.GetByLabel("Room name", new() { Exact = true }).FillAsync(room);
        await Page.GetByLabel("Title (optional)").FillAsync(title ?? "");
        await Page.GetByLabel("People (user names)").FillAsync(string.Join(", ", people));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(RoomTitle).ToHaveTextAsync(title ?? room);
    }

    private static System.Text.RegularExpressions.Regex ExactText(string text, bool orYou = false) =>
        new($"^{System.Text.RegularExpressions.Regex.Escape(text)}{(orYou ? "( \\(you\\))?" : "")}$");

    public ILocator Unread(string room) => RoomButton(room).Locator(".unread");

    /// <summary>The room's mention badge ("@2"): unread messages that mention the user.</summary>
    public ILocator Mentions(string room) => RoomButton(room).Locator(".mention-count");

    /// <summary>"Seen by …" under the last message of the room in view.</summary>
    public ILocator SeenBy => Page.Locator("#seen-by");

    /// <summary>The bell in the top bar that opens the notification list.</summary>
    public ILocator NotificationsButton => Page.Locator("#notifications-button");

    /// <summary>How many notifications are new since the list was last opened.</summary>
    public ILocator NotificationCount => Page.Locator("#notifications-count");

    public ILocator NotificationsPanel => Page.Locator("#notifications-panel");

    /// <summary>The notifications in the list, newest first; each opens its room.</summary>
    public ILocator Notifications => Page.Locator("#notification-list button[data-id]");

    public ILocator NotificationTitles => Page.Locator("#notification-list .notification-title");

    /// <summary>How many are online in the room in view, as the members panel's heading says it ("(6 online)").</summary>
    public ILocator MemberCount => Page.Locator("#member-count");

    /// <summary>Who are online by name in the members panel (none in a large room).</summary>
    public ILocator OnlineMembers => Page.Locator("#member-list li.member");

    /// <summary>What the members panel says of a big room: counted, not listed; or how many more are online.</summary>
    public ILocator MemberNote => Page.Locator("#member-note");

    /// <summary>A big room's lasting members, as far as they were paged in.</summary>
    public ILocator AllMembers => Page.Locator("#all-member-list li.member");

    /// <summary>"Show all members", then "Show more": the next page of a big room's lasting members.</summary>
    public ILocator ShowMoreMembers => Page.Locator("#all-members-more");

    public ILocator Member(string userName) =>
        Page.Locator("#member-list li.member").Filter(new() { Has = Page.Locator(".member-name", new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(userName)}( \\(you\\))?$") }) });

    public ILocator MessageWithText(string text) =>
        Messages.Filter(new() { Has = Page.Locator(".content", new() { HasTextString = text }) });

    /// <summary>A message's reaction chips (each "emoji count").</summary>
    public static ILocator Reactions(ILocator message) => message.Locator(".reactions button.reaction");

    /// <summary>The quoted message a reply shows: sender and preview.</summary>
    public static ILocator Quote(ILocator message) => message.Locator(".reply-quote");

    /// <summary>A control in a message's action row (Reply, React, Edit, Delete), by its visible text.</summary>
    public static ILocator Action(ILocator message, string name) =>
        message.Locator(".actions button", new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(name)}$") });

    /// <summary>Opens the message's reaction picker and picks one.</summary>
    public async Task ReactAsync(ILocator message, string reaction)
    {
        await Action(message, "React").ClickAsync();
        await message.Locator(".picker button", new() { HasTextString = reaction }).ClickAsync();
        await Expect(message.Locator(".picker")).ToHaveCountAsync(0);
    }

    /// <summary>The search box in the top bar.</summary>
    public ILocator SearchInput => Page.GetByLabel("Search messages", new() { Exact = true });

    /// <summary>"This room only", offered while a room is open.</summary>
    public ILocator SearchThisRoomOnly => Page.GetByLabel("This room only");

    /// <summary>The search hits, newest first; each opens its message.</summary>
    public ILocator SearchResults => Page.Locator("#search-results button.search-open");

    /// <summary>Why a search could not be run, under the box.</summary>
    public ILocator SearchError => Page.Locator("#search-error");

    /// <summary>How many messages were found, or that none was.</summary>
    public ILocator SearchStatus => Page.Locator("#search-status");

    public ILocator SearchMore => Page.GetByRole(AriaRole.Button, new() { Name = "More results", Exact = true });

    /// <summary>Searches with the box (Enter) and waits until the answer is shown.</summary>
    public async Task SearchAsync(string query)
    {
        await SearchInput.FillAsync(query);
        await SearchInput.PressAsync("Enter");
        await Expect(Page.Locator("#search-panel")).ToHaveAttributeAsync("data-state", new System.Text.RegularExpressions.Regex("^(done|failed)$"));
    }

    /// <summary>The paperclip: opens the file picker.</summary>
    public ILocator AttachButton => Page.GetByRole(AriaRole.Button, new() { Name = "Attach files", Exact = true });

    /// <summary>The file input behind the paperclip (Playwright sets its files directly).</summary>
    public ILocator FilePicker => Page.Locator("#file-picker");

    /// <summary>The files of the message being written, each with its state (data-state uploading, done, failed).</summary>
    public ILocator Uploads => Page.Locator("#uploads li.upload");

    public ILocator Upload(string fileName) =>
        Uploads.Filter(new() { Has = Page.Locator(".upload-name", new() { HasTextRegex = ExactText(fileName) }) });

    /// <summary>The audio call button of a direct conversation's header.</summary>
    public ILocator CallButton => Page.Locator("#call-button");

    public ILocator VideoCallButton => Page.Locator("#video-call-button");

    /// <summary>The banner of a call that rings on this tab, with Accept and Decline.</summary>
    public ILocator IncomingCall => Page.Locator("#incoming-call");

    public ILocator AcceptCall => Page.Locator("#call-accept");

    public ILocator DeclineCall => Page.Locator("#call-decline");

    /// <summary>What became of a call that rang here (answered on another tab, missed).</summary>
    public ILocator CallNotice => Page.Locator("#call-notice");

    /// <summary>The call panel: <c>data-call-state</c> (ringing, connecting, connected, ended) and <c>data-connection-state</c> (the RTCPeerConnection's).</summary>
    public ILocator CallPanel => Page.Locator("#call");

    public ILocator CallStatus => Page.Locator("#call-status");

    public ILocator HangUp => Page.Locator("#call-hangup");

    public ILocator MuteMicrophone => Page.Locator("#call-mute");

    public ILocator ToggleCamera => Page.Locator("#call-camera");

    /// <summary>Loads the page again (signed out, as after closing the tab) and signs in with the remembered name.</summary>
    public async Task ReloadAndSignInAsync()
    {
        await Page.ReloadAsync();
        await Expect(UserNameInput).ToHaveValueAsync(UserName);
        await UserNameInput.PressAsync("Enter");
        await Expect(ConnectionState).ToHaveAttributeAsync("data-state", "connected");
    }

    public async Task SignInAsync()
    {
        await UserNameInput.FillAsync(UserName);
        await UserNameInput.PressAsync("Enter");
        await Expect(ConnectionState).ToHaveAttributeAsync("data-state", "connected");
    }

    /// <summary>Joins (or opens) a room through the form and waits until it is in view.</summary>
    public async Task JoinAsync(string room)
    {
        await RoomInput.FillAsync(room);
        await RoomInput.PressAsync("Enter");
        await Expect(RoomTitle).ToHaveTextAsync(room);
    }

    /// <summary>Sends through the composer with Enter and waits for the acknowledgement (the input empties).</summary>
    public async Task SendAsync(string text)
    {
        await MessageInput.FillAsync(text);
        await MessageInput.PressAsync("Enter");
        await Expect(MessageInput).ToHaveValueAsync("");
    }

    public async Task<string> ScreenshotAsync(string directory, string name)
    {
        var tab = _ownsContext ? "" : $"-tab{Context.Pages.ToList().IndexOf(Page) + 1}";
        var path = Path.Combine(directory, $"{name}-{UserName}{tab}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsContext)
        {
            await Context.DisposeAsync();
        }
        else
        {
            await Page.CloseAsync();
        }
    }
}
