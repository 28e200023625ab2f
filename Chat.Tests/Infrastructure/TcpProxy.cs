using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of a server, to cut real connections on demand: <see cref="DropConnections"/>
/// resets every relayed socket (RST), as a network failure would, while the server process keeps running.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, Socket> _relays = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>Connections relayed since the start.</summary>
    public int ConnectionCount { get; private set; }

    /// <summary>While set, new connections are reset at once, as if nobody listened; open ones are relayed as before.</summary>
    public bool Refusing { get; set; }

    public static TcpProxy Start(int targetPort) => new(targetPort);

    /// <summary>Resets every connection open now; new connections are relayed as before.</summary>
    public int DropConnections()
    {
        var dropped = 0;
        foreach (var (client, server) in _relays)
        {
            Reset(client);
            Reset(server);
            dropped++;
        }

        return dropped;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropConnections();
        try
        {
            await _accepting.WithTimeout();
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stopping.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already closed by its pump.
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (Refusing)
            {
                Reset(client);
                continue;
            }

            ConnectionCount++;
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            // Nobody listening behind us: refuse the client the same way.
            Reset(client);
            server.Dispose();
            return;
        }

        _relays[client] = server;
        await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        _relays.TryRemove(client, out _);
        Reset(client);
        Reset(server);
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Reset by either side or by DropConnections.
        }
    }
}
