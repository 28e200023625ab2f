using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Chat.Shared;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Server.Hubs;

/// <summary>
/// SignalR words every HubException as "An unexpected error occurred invoking 'X' on the server. HubException: …"
/// (aspnetcore ErrorMessageHelper). The contract promises that a rejected call's message starts with its code, so
/// this wrapper around each hub protocol (JSON and MessagePack) sends our coded errors unwrapped. Every other
/// message passes through untouched.
/// </summary>
internal sealed class CodedErrorHubProtocol(IHubProtocol inner) : IHubProtocol
{
    private const string Wrapper = " HubException: ";

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Unwrap(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Unwrap(message));

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    private static HubMessage Unwrap(HubMessage message)
    {
        if (message is not CompletionMessage { Error: { } error } completion)
        {
            return message;
        }

        var at = error.IndexOf(Wrapper, StringComparison.Ordinal);
        if (at < 0)
        {
            return message;
        }

        var coded = error[(at + Wrapper.Length)..];
        return ChatErrorCodes.FromErrorMessage(coded) is null
            ? message
            : new CompletionMessage(completion.InvocationId!, coded, result: null, hasResult: false) { Headers = completion.Headers };
    }
}
