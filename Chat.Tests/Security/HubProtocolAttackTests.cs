using System.Text;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Security;

/// <summary>Broken clients speaking the hub protocol badly: each gets a clear answer, and only its own connection can suffer.</summary>
public sealed class HubProtocolAttackTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task MalformedHandshakeIsAnsweredWithAnErrorAndClosed()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await OpenAsync();

        await attacker.SendTextAsync("{\"protocol\":\"json\",\"version\u001e");
        var response = await attacker.ReadHandshakeResponseAsync();

        response.Should().NotBeNull();
        response!.Error.Should().NotBeNullOrEmpty();
        (await attacker.WaitForCloseAsync()).Should().BeNull();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task UnknownProtocolIsAnsweredWithAnErrorAndClosed()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await OpenAsync();

        await attacker.SendTextAsync("{\"protocol\":\"xml\",\"version\":1}\u001e");
        var response = await attacker.ReadHandshakeResponseAsync();

        response!.Error.Should().Contain("'xml'").And.Contain("not supported");
        (await attacker.WaitForCloseAsync()).Should().BeNull();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task UnsupportedProtocolVersionIsAnsweredWithAnErrorAndClosed()
    {
        await using var attacker = await OpenAsync();

        await attacker.SendTextAsync("{\"protocol\":\"json\",\"version\":99}\u001e");
        var response = await attacker.ReadHandshakeResponseAsync();

        response!.Error.Should().Contain("version 99");
        await attacker.WaitForCloseAsync();
        Server.Logs.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task ClientThatNeverHandshakesIsClosedAfterTheHandshakeTimeout()
    {
        await using var attacker = await OpenAsync();

        var started = DateTime.UtcNow;
        var response = await attacker.ReadHandshakeResponseAsync().WithTimeout(TimeSpan.FromSeconds(30));

        response!.Error.Should().Contain("canceled");
        (await attacker.WaitForCloseAsync()).Should().BeNull();
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(25));
        Server.Logs.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task GarbageJsonClosesThatConnectionWithAnError()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(ChatProtocol.Json);

        await attacker.SendTextAsync("{\"type\":1,\"target\":\u001e");

        (await attacker.WaitForCloseAsync())!.Error.Should().NotBeNullOrEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task JsonThatIsNotAHubMessageClosesThatConnectionWithAnError()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(ChatProtocol.Json);

        await attacker.SendTextAsync("[1,2,3]\u001e");

        (await attacker.WaitForCloseAsync())!.Error.Should().NotBeNullOrEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task InvalidMessagePackClosesThatConnectionWithAnError()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(ChatProtocol.MessagePack);

        // 0xc1 is the one byte MessagePack never uses.
        await attacker.SendAsync(RawFrames.LengthPrefixed([0x96, 0x01, 0x80, 0xc1, 0xc1, 0xc1, 0xc1]));

        (await attacker.WaitForCloseAsync())!.Error.Should().NotBeNullOrEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task MessagePackLengthPrefixLongerThanTheDataIsNeverDispatched()
    {
        await using var attacker = await ConnectAsync(ChatProtocol.MessagePack);

        // Claims 60,000 bytes, sends 3, then a valid invocation that now sits inside the claimed message.
        await attacker.SendAsync(new byte[] { 0xe0, 0xd4, 0x03, 0x01, 0x02, 0x03 });
        await attacker.InvokeAsync("1", nameof(IChatHub.ListRooms));

        Server.Logs.Errors.Should().BeEmpty();
        attacker.State.Should().Be(System.Net.WebSockets.WebSocketState.Open);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task WrongArgumentCountIsAnInvocationErrorAndStoresNothing(ChatProtocol protocol)
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(protocol);
        var room = TestDefaults.UniqueRoom();
        await attacker.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        (await attacker.WaitForCompletionAsync("join"))!.Error.Should().BeNull();

        await attacker.InvokeAsync("few", nameof(IChatHub.SendMessage), room, "hello");
        await attacker.InvokeAsync("many", nameof(IChatHub.SendMessage), room, "hello", null, "extra", 42);

        (await attacker.WaitForCompletionAsync("few"))!.Error.Should().Be("Failed to invoke 'SendMessage' due to an error on the server.");
        (await attacker.WaitForCompletionAsync("many"))!.Error.Should().Be("Failed to invoke 'SendMessage' due to an error on the server.");
        await attacker.InvokeAsync("after", nameof(IChatHub.ListRooms));
        (await attacker.WaitForCompletionAsync("after"))!.Error.Should().BeNull("a bad call never closes the connection");
        (await bystander.Client.GetHistory(room, null, 10)).Should().BeEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task WrongArgumentTypesAreAnInvocationErrorAndStoreNothing(ChatProtocol protocol)
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(protocol);
        var room = TestDefaults.UniqueRoom();
        await attacker.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        (await attacker.WaitForCompletionAsync("join"))!.Error.Should().BeNull();

        await attacker.InvokeAsync("number", nameof(IChatHub.SendMessage), room, 42, null);
        await attacker.InvokeAsync("object", nameof(IChatHub.SendMessage), room, new Dictionary<string, object> { ["$type"] = "System.IO.FileInfo" }, null);
        await attacker.InvokeAsync("array", nameof(IChatHub.JoinRoom), new[] { room, room });
        await attacker.InvokeAsync("limit", nameof(IChatHub.GetHistory), room, "newest", "all");
        await attacker.InvokeAsync("null", nameof(IChatHub.JoinRoom), [null]);

        foreach (var id in new[] { "number", "object", "array", "limit" })
        {
            (await attacker.WaitForCompletionAsync(id))!.Error.Should().NotBeNullOrEmpty();
        }

        ChatErrorCodes.FromErrorMessage((await attacker.WaitForCompletionAsync("null"))!.Error).Should().Be(ChatErrorCodes.InvalidRoomName);
        (await bystander.Client.GetHistory(room, null, 10)).Should().BeEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task UnknownHubMethodIsAnInvocationError(ChatProtocol protocol)
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(protocol);

        await attacker.InvokeAsync("1", "DropAllRooms");
        await attacker.InvokeAsync("2", "OnConnectedAsync");
        await attacker.InvokeAsync("3", "Dispose");

        (await attacker.WaitForCompletionAsync("1"))!.Error.Should().Be("Failed to invoke 'DropAllRooms' due to an error on the server. HubException: Method does not exist.");
        (await attacker.WaitForCompletionAsync("2"))!.Error.Should().EndWith("Method does not exist.");
        (await attacker.WaitForCompletionAsync("3"))!.Error.Should().EndWith("Method does not exist.");
        await bystander.ShouldBeUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task OneMebibyteFrameClosesThatConnection(ChatProtocol protocol)
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(protocol);
        var room = TestDefaults.UniqueRoom();
        await attacker.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        await attacker.WaitForCompletionAsync("join");

        await attacker.InvokeAsync("huge", nameof(IChatHub.SendMessage), room, new string('x', 1024 * 1024), null);

        (await attacker.WaitForCloseAsync())!.Error.Should().NotBeNullOrEmpty();
        (await bystander.Client.GetHistory(room, null, 10)).Should().BeEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public void MessagePackProtocolTreatsInputAsUntrustedData()
    {
        var options = Server.Services.GetRequiredService<IOptions<MessagePackHubProtocolOptions>>().Value.SerializerOptions;

        options.Security.HashCollisionResistant.Should().BeTrue();
        options.Security.MaximumObjectGraphDepth.Should().Be(MessagePackSecurity.UntrustedData.MaximumObjectGraphDepth);
    }

    [Fact]
    public async Task DeeplyNestedMessagePackArgumentIsRejectedWithoutHarm()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(ChatProtocol.MessagePack);

        // 30,000 nested one-entry maps in 60 KB: enough to overflow a naive recursive reader's stack.
        var nested = new List<byte>();
        for (var i = 0; i < 30_000; i++)
        {
            nested.AddRange([0x81, 0xa0]);
        }

        nested.Add(0xc0);
        await attacker.SendAsync(RawFrames.LengthPrefixed(Invocation("nested", nameof(IChatHub.JoinRoom), [.. nested])));

        (await attacker.WaitForCompletionAsync("nested"))!.Error.Should().NotBeNullOrEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task MessagePackMapOfCollidingKeysIsRejectedWithoutHarm()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await ConnectAsync(ChatProtocol.MessagePack);

        // A 6,000-entry map of short distinct keys as the room name and as the invocation headers.
        var map = new List<byte> { 0xde, 6_000 >> 8, 6_000 & 0xff };
        for (var i = 0; i < 6_000; i++)
        {
            map.AddRange([0xa4, .. Encoding.ASCII.GetBytes(i.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)), 0xc0]);
        }

        await attacker.SendAsync(RawFrames.LengthPrefixed(Invocation("map", nameof(IChatHub.JoinRoom), [.. map])));

        (await attacker.WaitForCompletionAsync("map"))!.Error.Should().NotBeNullOrEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    /// <summary>A MessagePack invocation <c>[1, {}, id, target, [argument], []]</c> with one pre-encoded argument.</summary>
    private static byte[] Invocation(string invocationId, string target, byte[] argument) =>
    [
        0x96, 0x01, 0x80,
        (byte)(0xa0 | invocationId.Length), .. Encoding.ASCII.GetBytes(invocationId),
        (byte)(0xa0 | target.Length), .. Encoding.ASCII.GetBytes(target),
        0x91, .. argument,
        0x90,
    ];

    private async Task<RawHubConnection> OpenAsync() =>
        await RawHubConnection.OpenAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("mallory"))).AccessToken);

    private async Task<RawHubConnection> ConnectAsync(ChatProtocol protocol) =>
        await RawHubConnection.ConnectAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("mallory"))).AccessToken, protocol);
}
