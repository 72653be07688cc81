using System.Net.Sockets;

namespace GitOps.Cli.Conventions;

/// <summary>
/// A server of the CLI (<c>serve</c>, <c>up</c>, <c>reconcile</c>) that cannot listen where it was told: a message for
/// the person who chose the address, never an internal error. Kestrel reports a port in use as an
/// <see cref="IOException"/> and an address the machine does not have as a <see cref="SocketException"/>.
/// </summary>
public static class ListenFailure
{
    /// <summary>The logging category under which the host logs a failed start with its stack trace, which the error
    /// this class words makes redundant.</summary>
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static bool Is(Exception e) => e is IOException || Socket(e) is not null;

    /// <summary>"cannot listen on WHERE: why. fix".</summary>
    public static string Describe(string where, Exception e, string fix)
    {
        var reason = Socket(e)?.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => "the port is in use by another process",
            SocketError.AddressNotAvailable => "this machine has no such address",
            SocketError.AccessDenied => "this process may not listen on that port (ports below 1024 need privileges)",
            _ => e.Message.TrimEnd('.'),
        };
        return $"cannot listen on {where}: {reason}. {fix}";
    }

    private static SocketException? Socket(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }
        return null;
    }
}
