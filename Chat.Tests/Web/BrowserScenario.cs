using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Chat.Tests.Web;

/// <summary>
/// The users of one browser test. When the test fails, every open page is photographed into
/// <c>TestResults/web-screenshots</c> under the repository root, and the paths are put in the failure message.
/// </summary>
public sealed class BrowserScenario(WebChatFixture fixture, ITestOutputHelper output, string testName) : IAsyncDisposable
{
    private readonly List<ChatPageUser> _users = [];

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryPaths.Root, "TestResults", "web-screenshots");

    public WebChatFixture Fixture => fixture;

    /// <summary>Runs a browser test; on failure saves screenshots of its pages before passing the failure on.</summary>
    public static async Task RunAsync(WebChatFixture fixture, ITestOutputHelper output, string testName, Func<BrowserScenario, Task> test)
    {
        await using var scenario = new BrowserScenario(fixture, output, testName);
        try
        {
            await test(scenario);
        }
        catch (Exception failure)
        {
            var screenshots = await scenario.ScreenshotAllAsync();
            throw new XunitException($"{failure.Message}\nScreenshots:\n  {string.Join("\n  ", screenshots)}\n{failure}");
        }
    }

    /// <summary>
    /// Opens the page for a new user (a context of their own) and signs in, from <paramref name="server"/> (default: the
    /// fixture's server).
    /// </summary>
    public async Task<ChatPageUser> SignInAsync(string namePrefix, BrowserNewContextOptions? options = null, Uri? server = null)
    {
        var user = await OpenAsync(namePrefix, options, server);
        await user.SignInAsync();
        return user;
    }

    public async Task<ChatPageUser> OpenAsync(string namePrefix, BrowserNewContextOptions? options = null, Uri? server = null)
    {
        var user = await ChatPageUser.OpenAsync(fixture.Browser, server ?? fixture.Server.BaseAddress, WebNames.User(namePrefix), options);
        _users.Add(user);
        return user;
    }

    /// <summary>Opens another tab of a signed-in user and signs it in too.</summary>
    public async Task<ChatPageUser> OpenTabAsync(ChatPageUser user)
    {
        var tab = await user.OpenTabAsync();
        // Closed before the user's context, which closes it anyway.
        _users.Insert(0, tab);
        return tab;
    }

    /// <summary>Closes a user's context: to the server, their browser went away.</summary>
    public async Task CloseAsync(ChatPageUser user)
    {
        _users.Remove(user);
        await user.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var user in _users)
        {
            await user.DisposeAsync();
        }
    }

    private async Task<List<string>> ScreenshotAllAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var paths = new List<string>();
        foreach (var user in _users)
        {
            try
            {
                paths.Add(await user.ScreenshotAsync(ScreenshotDirectory, testName).WithTimeout());
            }
            catch (Exception exception) when (exception is PlaywrightException or TimeoutException)
            {
                paths.Add($"(no screenshot of {user.UserName}: {exception.Message})");
            }
        }

        foreach (var path in paths)
        {
            output.WriteLine($"Screenshot: {path}");
        }

        return paths;
    }
}
