using System.Runtime.CompilerServices;
using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// Big rooms on the web page (issue #15): where the server counts people instead of announcing them (RoomActivity),
/// the page shows how many are online and typing, no longer names who is online, and pages through the room's
/// lasting members on request; the first per-user event afterwards shows the room small again, and the page names
/// who is there once more.
/// </summary>
public sealed class WebBigRoomTests(WebBigRoomFixture fixture, ITestOutputHelper output) : IClassFixture<WebBigRoomFixture>
{
    private const int Threshold = WebBigRoomFixture.LargeRoomThreshold;

    /// <summary>The page's page of lasting members (its Limits.membersPanelPage).</summary>
    private const int PanelPage = 50;

    /// <summary>Members who came once and went: with the page's user and the fans, more than one page of members.</summary>
    private const int Passers = PanelPage + 2;

    [Fact]
    public Task ALargeRoomShowsCountsAndPagesItsMembersUntilItIsSmallAgainAndNamesComeBack() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("stage");
        var passers = await PassThroughAsync(room);
        var alice = await scenario.SignInAsync("alice");
        await alice.JoinAsync(room);
        await Expect(alice.MemberCount).ToHaveTextAsync("(1 online)");
        await Expect(alice.MemberNote).ToBeHiddenAsync();
        await Expect(alice.ShowMoreMembers).ToBeHiddenAsync();

        var fans = new List<TestClient>();
        try
        {
            // Alice and Threshold - 1 fans make the room large; one more makes it busier still.
            for (var i = 0; i < Threshold; i++)
            {
                var fan = await fixture.ConnectClientAsync(WebNames.User("fan"));
                fans.Add(fan);
                await fan.JoinRoom(room);
                if (i == 0)
                {
                    await Expect(alice.Member(fan.UserName)).ToHaveClassAsync("member online");
                }
            }

            await Expect(alice.MemberCount).ToHaveTextAsync($"({Threshold + 1} online)");
            await Expect(alice.MemberNote).ToHaveTextAsync("A big room: people here are counted, not listed as they come and go.");
            await Expect(alice.OnlineMembers).ToHaveCountAsync(0);

            await fans[0].SetTyping(room, true);
            await fans[1].SetTyping(room, true);
            await Expect(alice.TypingLine).ToHaveTextAsync("2 typing…");

            // Every lasting member, by user id, a page at a time.
            string[] everyone = [.. passers.Append(alice.UserName).Concat(fans.Select(f => f.UserName)).Order(StringComparer.Ordinal)];
            string[] shown = [.. everyone.Select(name => name == alice.UserName ? $"{name} (you)" : name)];
            await Expect(alice.ShowMoreMembers).ToHaveTextAsync("Show all members");
            await alice.ShowMoreMembers.ClickAsync();
            await Expect(alice.AllMembers.Locator(".member-name")).ToHaveTextAsync(shown[..PanelPage]);
            await Expect(alice.ShowMoreMembers).ToHaveTextAsync("Show more");
            await alice.ShowMoreMembers.ClickAsync();
            await Expect(alice.AllMembers.Locator(".member-name")).ToHaveTextAsync(shown);
            await Expect(alice.ShowMoreMembers).ToBeHiddenAsync();

            await fans[0].SetTyping(room, false);
            await fans[1].SetTyping(room, false);
            await Expect(alice.TypingLine).ToHaveTextAsync("");

            // Down below nine tenths of the threshold: the server's last count, and the page still counts.
            for (var left = 0; left < 2; left++)
            {
                await fans[0].LeaveRoom(room);
                await fans[0].DisposeAsync();
                fans.RemoveAt(0);
            }

            await Expect(alice.MemberCount).ToHaveTextAsync($"({Threshold - 1} online)");
            await Expect(alice.MemberNote).ToBeVisibleAsync();

            // The next leave is announced by name: the room is small, and the page asks who is there.
            var leaving = fans[0];
            fans.RemoveAt(0);
            await leaving.LeaveRoom(room);
            await leaving.DisposeAsync();
            await Expect(alice.SystemLines.Last).ToHaveTextAsync($"{leaving.UserName} left");
            await Expect(alice.MemberCount).ToHaveTextAsync($"({fans.Count + 1} online)");
            await Expect(alice.MemberNote).ToBeHiddenAsync();
            await Expect(alice.OnlineMembers.Locator(".member-name")).ToHaveTextAsync(
                [$"{alice.UserName} (you)", .. fans.Select(f => f.UserName).Order(StringComparer.CurrentCulture)]);
            await Expect(alice.ShowMoreMembers).ToBeHiddenAsync();

            await fans[0].SetTyping(room, true);
            await Expect(alice.TypingLine).ToHaveTextAsync($"{fans[0].UserName} is typing…");

            alice.PageErrors.Should().BeEmpty();
        }
        finally
        {
            foreach (var fan in fans)
            {
                await fan.DisposeAsync();
            }
        }
    });

    [Fact]
    public Task TheSettingsDialogOfABigRoomReadsItsMembersAPageAtATime() => RunAsync(async scenario =>
    {
        var room = WebNames.Room("hall");
        var owner = await scenario.SignInAsync("owner");
        await owner.JoinAsync(room);
        await PassThroughAsync(room);

        await owner.OpenSettingsAsync();
        var rows = owner.Settings.Locator("#settings-members li.settings-member");
        var more = owner.Settings.GetByRole(AriaRole.Button, new() { Name = "Show more members", Exact = true });
        await Expect(rows).ToHaveCountAsync(PanelPage);
        await Expect(owner.Settings.Locator("#settings-member-count")).ToHaveTextAsync($"({PanelPage}+)");

        await more.ClickAsync();
        await Expect(rows).ToHaveCountAsync(Passers + 1);
        await Expect(owner.Settings.Locator("#settings-member-count")).ToHaveTextAsync($"({Passers + 1})");
        await Expect(more).ToBeHiddenAsync();
        await Expect(owner.SettingsMember(owner.UserName).Locator(".role-select")).ToHaveValueAsync("owner");
        owner.PageErrors.Should().BeEmpty();
    });

    /// <summary>
    /// Users who join the room (becoming lasting members) and go again, two at a time: never enough online at once to
    /// make the room large before the test means it to be.
    /// </summary>
    private async Task<List<string>> PassThroughAsync(string room)
    {
        var names = new List<string>(Passers);
        foreach (var pair in Enumerable.Range(0, Passers).Chunk(2))
        {
            await Task.WhenAll(pair.Select(async _ =>
            {
                await using var passer = await fixture.ConnectClientAsync(WebNames.User("passer"));
                await passer.JoinRoom(room);
                lock (names)
                {
                    names.Add(passer.UserName);
                }
            }));
        }

        return names;
    }

    private Task RunAsync(Func<BrowserScenario, Task> test, [CallerMemberName] string testName = "") =>
        BrowserScenario.RunAsync(fixture, output, testName, test);
}
