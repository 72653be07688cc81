using System.Net;
using System.Net.Sockets;

namespace GitOps.Testing.Net;

/// <summary>Ports on 127.0.0.1 for the servers a test starts.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now (the kernel's pick; another process could take it before use).</summary>
    public static int Free()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
