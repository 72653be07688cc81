using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GitOps.Testing.Git;

/// <summary>
/// A Git remote that accepts every TCP connection on 127.0.0.1 and never sends a byte: what a hung Git server, a
/// half-open load balancer or a black-holing proxy looks like to a client. Connections are held until disposed.
/// </summary>
public sealed class SilentGitRemote : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    public SilentGitRemote()
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ml-platform.git";
        _accepting = AcceptAsync();
    }

    /// <summary>An http:// URL on this listener.</summary>
    public string Url { get; }

    /// <summary>Connections accepted so far (a client did reach it).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                _held.Add(await _listener.AcceptTcpClientAsync(_stop.Token));
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _accepting.GetAwaiter().GetResult();
        foreach (var client in _held)
        {
            client.Dispose();
        }
        _stop.Dispose();
    }
}
