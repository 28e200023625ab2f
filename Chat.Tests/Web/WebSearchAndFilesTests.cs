using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// Search and files on the web page (issue #14): a dropped image uploads at once and shows as a thumbnail that
/// really loaded (with the user's token when its signed link has expired); other files are download links, never inline; files can be removed before sending, and a file
/// that is too large says so by its name; search finds a message by a word, pages with "More results", says what
/// it cannot read, and opens an old message in its room, loading the history up to it.
/// </summary>
public sealed class WebSearchAndFilesTests(WebSearchFixture fixture, ITestOutputHelper output) : IClassFixture<WebSearchFixture>
{
    [Fact]
    public Task AnImageAliceDropsOnTheComposerShowsOnBobsPageAsAThumbnailThatOpensFullSize() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("photos");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        (await DropFilesAsync(alice, ("logo.png", "image/png", SampleFiles.PngOf(37, 23)))).Should().BeTrue("the composer takes dropped files");
        await Expect(alice.Upload("logo.png")).ToHaveAttributeAsync("data-state", "done");
        await alice.SendAsync("the new logo");
        await Expect(alice.Uploads).ToHaveCountAsync(0);

        var image = bob.MessageWithText("the new logo").Locator(".attachments img");
        await Expect(image).ToHaveAttributeAsync("width", "37");
        await Expect(image).ToHaveAttributeAsync("height", "23");
        await Expect(image).ToHaveAttributeAsync("loading", "lazy");
        await Expect(image).ToHaveAttributeAsync("alt", "logo.png");
        // The bytes came through the signed link: the browser decoded an image of the PNG's own size.
        await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 37);
        await Expect(alice.MessageWithText("the new logo").Locator(".attachments img")).ToHaveJSPropertyAsync("naturalWidth", 37);

        var fullSize = await bob.Page.RunAndWaitForPopupAsync(() => image.ClickAsync());
        fullSize.Url.Should().Contain(ChatRoutes.Attachments + "/");
        await fullSize.WaitForFunctionAsync("() => document.images.length === 1 && document.images[0].naturalWidth === 37");

        // A link that has expired (as it has for a page left open over an hour) is refused without a token: the
        // thumbnail then comes with the user's own token.
        var fetchedWithToken = 0;
        await bob.Page.RouteAsync("**" + ChatRoutes.Attachments + "/**", async route =>
        {
            if (route.Request.Headers.ContainsKey("authorization"))
            {
                Interlocked.Increment(ref fetchedWithToken);
                await route.ContinueAsync();
            }
            else
            {
                await route.FulfillAsync(new() { Status = 403, ContentType = "application/problem+json", Body = """{"code":"forbidden"}""" });
            }
        });
        (await DropFilesAsync(alice, ("later.png", "image/png", SampleFiles.PngOf(19, 11)))).Should().BeTrue();
        await Expect(alice.Upload("later.png")).ToHaveAttributeAsync("data-state", "done");
        await alice.SendAsync("an hour later");
        await Expect(bob.MessageWithText("an hour later").Locator(".attachments img")).ToHaveJSPropertyAsync("naturalWidth", 19);
        Volatile.Read(ref fetchedWithToken).Should().BeGreaterThan(0);

        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task FilesPickedWithThePaperclipUploadWithProgressCanBeRemovedAndOtherFilesShowAsDownloadLinks() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("files");
        var alice = await scenario.SignInAsync("alice");
        var bob = await scenario.SignInAsync("bob");
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        // An upload held on its way shows its progress bar, and removing it stops it.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await alice.Page.RouteAsync("**" + ChatRoutes.Attachments, async route =>
        {
            await held.Task;
            try
            {
                await route.ContinueAsync();
            }
            catch (PlaywrightException)
            {
                // The page stopped the upload meanwhile: nothing to continue.
            }
        });
        await alice.FilePicker.SetInputFilesAsync(new FilePayload { Name = "draft.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("not this one") });
        await Expect(alice.Upload("draft.txt")).ToHaveAttributeAsync("data-state", "uploading");
        await Expect(alice.Upload("draft.txt").Locator("progress")).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Remove draft.txt", Exact = true }).ClickAsync();
        await Expect(alice.Uploads).ToHaveCountAsync(0);
        held.SetResult();
        await alice.Page.UnrouteAsync("**" + ChatRoutes.Attachments);

        // Text, an SVG with a script in it, and a file over the server's limit.
        const string notes = "milk\neggs\nflour\n";
        const string drawing = """<svg xmlns="http://www.w3.org/2000/svg" onload="alert('svg')"><script>alert('script')</script></svg>""";
        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() => alice.AttachButton.ClickAsync());
        chooser.IsMultiple.Should().BeTrue();
        await chooser.SetFilesAsync(new[]
        {
            new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes(notes) },
            new FilePayload { Name = "drawing.svg", MimeType = "image/svg+xml", Buffer = Encoding.UTF8.GetBytes(drawing) },
            new FilePayload { Name = "big.bin", MimeType = "application/octet-stream", Buffer = new byte[ChatLimits.DefaultAttachmentMaxBytes + 1] },
        });
        await Expect(alice.Upload("notes.txt")).ToHaveAttributeAsync("data-state", "done");
        await Expect(alice.Upload("drawing.svg")).ToHaveAttributeAsync("data-state", "done");
        await Expect(alice.Upload("big.bin")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(alice.Upload("big.bin").Locator(".upload-error")).ToHaveTextAsync("too large (max 10 MiB)");

        // Nothing is sent while a file is refused: it goes first.
        await alice.SendButton.ClickAsync();
        await Expect(alice.SendError).ToContainTextAsync("Remove the files that could not be uploaded");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Remove big.bin", Exact = true }).ClickAsync();
        await Expect(alice.SendError).ToBeEmptyAsync();
        await Expect(alice.Uploads).ToHaveCountAsync(2);

        // Files alone make a message: no text needed.
        await alice.SendButton.ClickAsync();
        await Expect(alice.Uploads).ToHaveCountAsync(0);
        var message = bob.Messages.Last;
        var links = message.Locator(".attachments a.attachment-file");
        await Expect(links).ToHaveCountAsync(2);
        await Expect(links.Locator(".attachment-name")).ToHaveTextAsync(["notes.txt", "drawing.svg"]);
        await Expect(links.First.Locator(".attachment-size")).ToHaveTextAsync($"{Encoding.UTF8.GetByteCount(notes)} B");
        await Expect(message.Locator("img, svg, object, iframe, embed")).ToHaveCountAsync(0);
        await Expect(message.Locator(".content")).ToHaveCountAsync(0);

        var download = await bob.Page.RunAndWaitForDownloadAsync(() => links.First.ClickAsync());
        download.SuggestedFilename.Should().Be("notes.txt");
        (await File.ReadAllTextAsync(await download.PathAsync())).Should().Be(notes);
        var svg = await bob.Page.RunAndWaitForDownloadAsync(() => links.Nth(1).ClickAsync());
        svg.SuggestedFilename.Should().Be("drawing.svg");

        bob.Dialogs.Should().BeEmpty("an SVG is saved, never shown, so its script never runs");
        alice.PageErrors.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    [Fact]
    public Task SearchFindsAnOldMessageByAWordAndOpensItsRoomWithTheMessageInSightAndMarked() => RunAsync(async scenario =>
    {
        var harbour = WebNames.Room("harbour");
        var lobby = WebNames.Room("lobby");
        await using var carol = await fixture.ConnectClientAsync(WebNames.User("carol"));
        await carol.JoinRoom(harbour);
        await Post(carol, harbour, "The kraken was seen near the pier at dawn");
        await Post(carol, harbour, "<img src=x onerror=alert(1)> no kraken here, only markup");
        const int Reports = 60;
        for (var i = 1; i <= Reports; i++)
        {
            await Post(carol, harbour, $"tide report {i}");
        }

        var bob = await scenario.SignInAsync("bob");
        await bob.JoinAsync(lobby);

        // Newest first, 20 a page; "More results" brings the next with the cursor, until there is none.
        await bob.SearchAsync("tide");
        await Expect(bob.SearchResults).ToHaveCountAsync(ChatLimits.DefaultSearchPage);
        await Expect(bob.SearchResults.First.Locator(".search-snippet")).ToHaveTextAsync($"tide report {Reports}");
        await bob.SearchMore.ClickAsync();
        await Expect(bob.SearchResults).ToHaveCountAsync(2 * ChatLimits.DefaultSearchPage);
        await bob.SearchMore.ClickAsync();
        await Expect(bob.SearchResults).ToHaveCountAsync(Reports);
        await Expect(bob.SearchMore).ToBeHiddenAsync();
        await Expect(bob.SearchResults.Last.Locator(".search-snippet")).ToHaveTextAsync("tide report 1");

        await bob.SearchAsync("KRAKEN");
        await Expect(bob.SearchResults).ToHaveCountAsync(2);
        var markup = bob.SearchResults.First;
        var hit = bob.SearchResults.Nth(1);
        await Expect(hit.Locator(".search-room")).ToHaveTextAsync(harbour);
        await Expect(hit.Locator(".search-sender")).ToHaveTextAsync(carol.UserName);
        await Expect(hit.Locator("time")).ToBeVisibleAsync();
        await Expect(hit.Locator(".search-snippet")).ToHaveTextAsync("The kraken was seen near the pier at dawn");
        await Expect(hit.Locator(".search-snippet mark")).ToHaveTextAsync("kraken");
        // The snippet's marks are the only markup: a message's own markup shows as the characters it is.
        await Expect(markup.Locator(".search-snippet")).ToContainTextAsync("<img src=x onerror=alert(1)>");
        await Expect(bob.Page.Locator("#search-results img")).ToHaveCountAsync(0);

        // The message is older than the 50 a join brings: the page loads the history back to it.
        await hit.ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync(harbour);
        var found = bob.MessageWithText("The kraken was seen near the pier at dawn");
        await Expect(found).ToHaveClassAsync(new Regex(@"\brevealed\b"));
        await Expect(found).ToBeInViewportAsync();
        await Expect(bob.Messages).ToHaveCountAsync(Reports + 2);
        await Expect(bob.Page.Locator("#search-panel")).ToBeHiddenAsync();

        // "This room only": the room in view, searched again at once.
        await bob.RoomButton(lobby).ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync(lobby);
        await bob.SearchThisRoomOnly.CheckAsync();
        await Expect(bob.SearchStatus).ToHaveTextAsync($"No messages found in {lobby}.");
        await Expect(bob.SearchResults).ToHaveCountAsync(0);

        // What the server cannot read is told under the box.
        await bob.SearchAsync("\"kraken at");
        await Expect(bob.SearchError).ToContainTextAsync("That search cannot be read");
        await Expect(bob.SearchResults).ToHaveCountAsync(0);

        bob.Dialogs.Should().BeEmpty();
        bob.PageErrors.Should().BeEmpty();
    });

    private static Task<ChatMessage> Post(TestClient client, string room, string content) =>
        client.PostMessage(room, new PostMessageRequest(content, Guid.NewGuid().ToString("N")));

    /// <summary>Drops files on the composer as a browser does (dragenter, dragover, drop); true when the page took them.</summary>
    private static Task<bool> DropFilesAsync(ChatPageUser user, params (string Name, string Type, byte[] Bytes)[] files) =>
        user.Page.EvaluateAsync<bool>(
            """
            (files) => {
              const data = new DataTransfer();
              for (const file of files) {
                const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
                data.items.add(new File([bytes], file.name, { type: file.type }));
              }
              const target = document.querySelector("#composer");
              const drag = (type) => target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
              drag("dragenter");
              drag("dragover");
              return !drag("drop");
            }
            """,
            files.Select(f => new { name = f.Name, type = f.Type, base64 = Convert.ToBase64String(f.Bytes) }).ToArray());


    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
