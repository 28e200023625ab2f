using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.Webhooks;

/// <summary>
/// The SSRF rule of webhooks, checked at registration and again on every connection (DNS can change in between):
/// a webhook may not reach loopback, private, link-local, metadata, unspecified or multicast addresses nor the server's
/// own addresses, unless <see cref="WebhooksOptions.AllowPrivateTargets"/>. Connections go to the very address that was
/// checked (<see cref="ConnectAsync"/>), so a second DNS answer cannot slip past (DNS rebinding).
/// </summary>
public sealed class WebhookTargets(IOptions<WebhooksOptions> options)
{
    // Cloud metadata services outside the ranges below (AWS over IPv6, Alibaba Cloud); 169.254.169.254 is link-local.
    private static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("100.100.100.200")];

    private static readonly IPNetwork[] ForbiddenNetworks =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    // NAT64 (RFC 6052): a gateway turns 64:ff9b::a.b.c.d into a connection to the IPv4 address a.b.c.d.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly Lazy<HashSet<IPAddress>> _ownAddresses = new(ReadOwnAddresses);

    /// <summary>Why <paramref name="address"/> is no webhook target, or null when it may be one (pure: no own addresses).</summary>
    public static string? Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (Nat64.Contains(address))
        {
            address = new IPAddress(address.GetAddressBytes()[12..]);
        }

        if (Array.Exists(MetadataAddresses, address.Equals))
        {
            return "a cloud metadata address";
        }

        return Array.Exists(ForbiddenNetworks, network => network.Contains(address))
            ? "a loopback, private, link-local, unspecified or multicast address"
            : null;
    }

    /// <summary>Why the URL is no webhook target, or null when it is one. Resolves its host.</summary>
    public async Task<string?> CheckAsync(Uri url, CancellationToken cancellationToken = default)
    {
        if (ShapeError(url) is { } error)
        {
            return error;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"the host '{url.Host}' does not resolve";
        }

        return addresses.Select(Refusal).FirstOrDefault(reason => reason is not null);
    }

    /// <summary>What a webhook URL must look like before its host is even looked up.</summary>
    public static string? ShapeError(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return "the URL must be an absolute http or https URL";
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "the URL may not hold credentials";
        }

        return url.OriginalString.Length > ChatLimits.MaxWebhookUrlLength
            ? $"the URL is longer than {ChatLimits.MaxWebhookUrlLength} characters"
            : null;
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/> of webhook deliveries: resolves the host once, refuses the
    /// connection when any of its addresses is forbidden, and connects to the checked addresses only.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        if (addresses.Select(Refusal).FirstOrDefault(reason => reason is not null) is { } refusal)
        {
            throw new WebhookTargetRefusedException($"{context.DnsEndPoint.Host} resolves to {refusal}");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private string? Refusal(IPAddress address)
    {
        if (options.Value.AllowPrivateTargets)
        {
            return null;
        }

        return Classify(address) ?? (_ownAddresses.Value.Contains(Normalize(address)) ? "this server's own address" : null);
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.Length > 0 ? addresses : throw new SocketException((int)SocketError.HostNotFound);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static HashSet<IPAddress> ReadOwnAddresses() =>
    [
        .. NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => Normalize(unicast.Address)),
    ];
}

/// <summary>A delivery was not attempted: the webhook's host now resolves to an address webhooks may not reach.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
