using System.Net.Http.Json;
using Chat.Server.Auth;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Hub;

/// <summary>Acknowledged means stored: restarts and crashes lose nothing, and sequences carry on.</summary>
public sealed class DurabilityTests
{
    private static readonly Dictionary<string, string?> Volume = new()
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ARestartOverTheSameDatabaseKeepsEveryAcknowledgedMessageAndContinuesTheSequence(ChatProtocol protocol)
    {
        using var directory = new TempDirectory();
        var room = TestDefaults.UniqueRoom();
        var signingKey = TestDefaults.NewSigningKey();
        List<ChatMessage> acknowledged;

        await using (var first = await ChatServer.StartAsync(directory.Path, Volume, signingKey: signingKey))
        {
            var senders = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => first.ConnectAsync(TestDefaults.UniqueUser($"s{i}"), protocol)));
            await Task.WhenAll(senders.Select(s => s.JoinRoom(room)));
            var acks = await Task.WhenAll(senders.Select(async s =>
            {
                var mine = new List<ChatMessage>();
                for (var i = 0; i < 10; i++)
                {
                    mine.Add(await s.SendMessage(room, $"{s.UserName} #{i}", $"{s.UserName}-{i}"));
                }

                return mine;
            }));
            acknowledged = [.. acks.SelectMany(a => a).OrderBy(m => m.Sequence)];
            await Task.WhenAll(senders.Select(s => s.DisposeAsync().AsTask()));
        }

        await using var second = await ChatServer.StartAsync(directory.Path, Volume, signingKey: signingKey);
        await using var reader = await second.ConnectAsync(TestDefaults.UniqueUser("reader"), protocol);
        var stored = await reader.GetMessagesSince(room, 0, 500);
        var joined = await reader.JoinRoom(room);
        var next = await reader.SendMessage(room, "after the restart");

        stored.Should().Equal(acknowledged);
        joined.LastSequence.Should().Be(30);
        next.Sequence.Should().Be(31);
    }

    /// <summary>Both durability settings promise this much: a kill -9 of the server is a crash of the process only.</summary>
    [Theory]
    [InlineData("disk")]
    [InlineData("process")]
    public async Task AKilledServerLosesNoAcknowledgedMessage(string durability)
    {
        using var directory = new TempDirectory();
        await using var server = await ChatServerProcess.StartAsync(directory.Path, new Dictionary<string, string?>(Volume) { ["Database:Durability"] = durability });
        var room = TestDefaults.UniqueRoom();
        var name = TestDefaults.UniqueUser();
        await using var sender = await ConnectAsync(server, name);
        await sender.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room).WithTimeout();

        // Sends keep flowing while the process is killed: everything acknowledged before the kill must survive it.
        var sends = CallsUntilKilled<ChatMessage>.Start(i => sender.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, $"m{i}", $"id-{i}"), 50);
        await sends.WaitUntilEnoughAsync(() => server.Output);

        await server.KillAsync();
        await sends.StoppedAsync();
        var acknowledged = sends.Acknowledged;

        await server.StartAsync();
        await using var reader = await ConnectAsync(server, TestDefaults.UniqueUser());
        var stored = await reader.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetMessagesSince), room, 0L, 500).WithTimeout();

        stored.Should().HaveCountGreaterThanOrEqualTo(acknowledged.Count);
        stored.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, stored.Length).Select(i => (long)i));
        stored.Take(acknowledged.Count).Should().Equal(acknowledged);
    }

    [Fact]
    public async Task AGeneratedSigningKeyIsKeptBesideTheDatabaseAndOutlivesARestart()
    {
        using var directory = new TempDirectory();
        var noKey = new Dictionary<string, string?> { ["Auth:SigningKey"] = "" };
        string token;
        await using (var first = await ChatServer.StartAsync(directory.Path, noKey))
        {
            token = (await first.GetTokenAsync(TestDefaults.UniqueUser())).AccessToken;
        }

        var keyFile = Path.Combine(directory.Path, SigningKeyProvider.KeyFileName);
        File.Exists(keyFile).Should().BeTrue();
        Convert.FromBase64String(await File.ReadAllTextAsync(keyFile)).Should().HaveCountGreaterThanOrEqualTo(32);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var second = await ChatServer.StartAsync(directory.Path, noKey);
        await using var connection = new HubConnectionBuilder()
            .WithUrl(second.HubUrl, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await connection.StartAsync().WithTimeout();
        connection.State.Should().Be(HubConnectionState.Connected, "a token from before the restart is still valid");
    }

    [Fact]
    public async Task AShortConfiguredSigningKeyStopsTheServerFromStarting()
    {
        using var directory = new TempDirectory();

        var starting = () => ChatServer.StartAsync(directory.Path, new Dictionary<string, string?> { ["Auth:SigningKey"] = "too-short" });

        await starting.Should().ThrowAsync<Exception>().WithMessage("*256 bits*");
    }

    private static async Task<HubConnection> ConnectAsync(ChatServerProcess server, string userName)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(server.HubUrl, o => o.AccessTokenProvider = async () =>
            {
                using var http = new HttpClient { BaseAddress = server.BaseAddress };
                using var response = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName));
                return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>())!.AccessToken;
            })
            .Build();
        await connection.StartAsync().WithTimeout();
        return connection;
    }
}
