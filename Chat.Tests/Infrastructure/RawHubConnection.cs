using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A hub connection over a bare <see cref="ClientWebSocket"/> (skipNegotiation, token in the query string as
/// browsers send it), for what the SignalR client refuses to send: any bytes at all, framed or not. Frames it
/// receives are parsed with SignalR's own protocol classes.
/// </summary>
public sealed class RawHubConnection : IAsyncDisposable
{
    public const byte RecordSeparator = 0x1e;

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker? _invoker;
    private readonly IHubProtocol _protocol;
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    private ReadOnlySequence<byte> _pending = ReadOnlySequence<byte>.Empty;
    private bool _handshakeDone;

    private RawHubConnection(ClientWebSocket socket, ChatProtocol protocol, HttpMessageInvoker? invoker)
    {
        _socket = socket;
        _invoker = invoker;
        Protocol = protocol;
        _protocol = CreateProtocol(protocol);
    }

    public ChatProtocol Protocol { get; }

    public WebSocketState State => _socket.State;

    private static IHubProtocol CreateProtocol(ChatProtocol protocol) => protocol == ChatProtocol.MessagePack
        ? new MessagePackHubProtocol()
        : new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions()));

    private static Uri WebSocketUrl(Uri hubUrl, string? accessToken)
    {
        var builder = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == "https" ? "wss" : "ws" };
        if (accessToken is not null)
        {
            builder.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        }

        return builder.Uri;
    }

    /// <summary>
    /// Opens the WebSocket; nothing is sent yet. Throws a <see cref="WebSocketException"/> when the upgrade is refused.
    /// <paramref name="receiveBufferSize"/> shrinks the socket's receive buffer, so a client that stops reading
    /// pushes back on the server quickly.
    /// </summary>
    public static async Task<RawHubConnection> OpenAsync(
        Uri hubUrl, string? accessToken, ChatProtocol protocol = ChatProtocol.Json, string? origin = null, int? receiveBufferSize = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        var invoker = receiveBufferSize is { } size ? new HttpMessageInvoker(SmallReceiveBufferHandler(size)) : null;
        try
        {
            await socket.ConnectAsync(WebSocketUrl(hubUrl, accessToken), invoker, CancellationToken.None).WithTimeout();
        }
        catch
        {
            socket.Dispose();
            invoker?.Dispose();
            throw;
        }

        return new RawHubConnection(socket, protocol, invoker);
    }

    /// <summary>Opens the WebSocket and completes the handshake for <paramref name="protocol"/>.</summary>
    public static async Task<RawHubConnection> ConnectAsync(Uri hubUrl, string accessToken, ChatProtocol protocol = ChatProtocol.Json)
    {
        var connection = await OpenAsync(hubUrl, accessToken, protocol);
        var response = await connection.HandshakeAsync();
        return response.Error is null ? connection : throw new InvalidOperationException("Handshake refused: " + response.Error);
    }

    public async Task<HandshakeResponseMessage> HandshakeAsync()
    {
        await SendTextAsync($"{{\"protocol\":\"{_protocol.Name}\",\"version\":1}}\u001e");
        return await ReadHandshakeResponseAsync() ?? throw new InvalidOperationException("The server closed the connection during the handshake.");
    }

    /// <summary>The server's handshake answer, or null when it closed the connection without one.</summary>
    public async Task<HandshakeResponseMessage?> ReadHandshakeResponseAsync()
    {
        while (true)
        {
            var buffer = _pending;
            if (HandshakeProtocol.TryParseResponseMessage(ref buffer, out var response))
            {
                _pending = buffer;
                _handshakeDone = true;
                return response;
            }

            if (!await ReceiveMoreAsync())
            {
                return null;
            }
        }
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <summary>Sends <paramref name="bytes"/> as one WebSocket message, as text for JSON and binary for MessagePack unless told.</summary>
    public Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType? type = null) =>
        _socket.SendAsync(bytes, type ?? (Protocol == ChatProtocol.MessagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text), true, CancellationToken.None)
            .AsTask()
            .WithTimeout();

    /// <summary>One framed invocation in this connection's protocol.</summary>
    public byte[] Frame(string? invocationId, string target, params object?[] arguments) =>
        _protocol.GetMessageBytes(new InvocationMessage(invocationId, target, arguments)).ToArray();

    public Task InvokeAsync(string invocationId, string target, params object?[] arguments) => SendAsync(Frame(invocationId, target, arguments));

    /// <summary>The next hub message, or null when the connection is closed.</summary>
    public async Task<HubMessage?> ReceiveAsync()
    {
        if (!_handshakeDone)
        {
            throw new InvalidOperationException("Handshake first.");
        }

        while (true)
        {
            var buffer = _pending;
            if (_protocol.TryParseMessage(ref buffer, AnyTypeBinder.Instance, out var message))
            {
                _pending = buffer;
                return message;
            }

            if (!await ReceiveMoreAsync())
            {
                return null;
            }
        }
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/> arrives; null when the connection closes first.</summary>
    public async Task<CompletionMessage?> WaitForCompletionAsync(string invocationId)
    {
        while (await ReceiveAsync() is { } message)
        {
            if (message is CompletionMessage completion && completion.InvocationId == invocationId)
            {
                return completion;
            }
        }

        return null;
    }

    /// <summary>Reads until the server closes: returns its <see cref="CloseMessage"/> when it sent one (null when it only dropped the socket).</summary>
    public async Task<CloseMessage?> WaitForCloseAsync()
    {
        CloseMessage? close = null;
        try
        {
            while (await ReceiveAsync() is { } message)
            {
                close = message as CloseMessage ?? close;
            }
        }
        catch (WebSocketException)
        {
            // The server aborted the socket.
        }

        return close;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception exception) when (exception is WebSocketException or TimeoutException or OperationCanceledException)
            {
                // Already going away.
            }
        }

        _socket.Dispose();
        _invoker?.Dispose();
    }

    private static SocketsHttpHandler SmallReceiveBufferHandler(int receiveBufferSize) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBufferSize };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private async Task<bool> ReceiveMoreAsync()
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseSent))
        {
            return false;
        }

        var result = await _socket.ReceiveAsync(_receiveBuffer, CancellationToken.None).WithTimeout();
        if (result.MessageType == WebSocketMessageType.Close)
        {
            return false;
        }

        var received = new byte[_pending.Length + result.Count];
        _pending.CopyTo(received);
        _receiveBuffer.AsSpan(0, result.Count).CopyTo(received.AsSpan((int)_pending.Length));
        _pending = new ReadOnlySequence<byte>(received);
        return true;
    }

    /// <summary>Results and callback arguments arrive as plain objects: these tests look at kinds and errors, not shapes.</summary>
    private sealed class AnyTypeBinder : IInvocationBinder
    {
        public static readonly AnyTypeBinder Instance = new();

        public Type GetReturnType(string invocationId) => typeof(object);

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(object)];

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}

/// <summary>Hand-made frames for protocols where the typed writer cannot express the attack.</summary>
public static class RawFrames
{
    /// <summary>The MessagePack protocol's framing: a varint length prefix before each message.</summary>
    public static byte[] LengthPrefixed(ReadOnlySpan<byte> message)
    {
        var prefix = new List<byte>();
        var length = (uint)message.Length;
        do
        {
            var next = (byte)(length & 0x7f);
            length >>= 7;
            prefix.Add(length > 0 ? (byte)(next | 0x80) : next);
        }
        while (length > 0);

        return [.. prefix, .. message];
    }

    public static byte[] JsonRecord(string json) => [.. Encoding.UTF8.GetBytes(json), RawHubConnection.RecordSeparator];
}
