using System.Net;

namespace GitOps.Reconciler.WebConsole;

/// <summary>How a person or a proxy proves it may read the console: <c>token</c> (the default) or <c>none</c>.</summary>
public enum ConsoleAuth
{
    Token,
    None,
}

/// <summary>Settings of the web console (<c>--console</c>): the token it requires, or none when it listens on loopback only.</summary>
public sealed class ConsoleOptions
{
    private ConsoleOptions(ConsoleToken? token) => Token = token;

    /// <summary>The token every request must carry; null only with <see cref="ConsoleAuth.None"/> on a loopback address.</summary>
    public ConsoleToken? Token { get; }

    /// <summary>
    /// The console's settings for a server on <paramref name="listen"/>, or why it cannot be served: a token is
    /// required unless <paramref name="auth"/> is <see cref="ConsoleAuth.None"/> and only this machine can connect.
    /// </summary>
    public static (ConsoleOptions? Options, string? Error) Create(ConsoleAuth auth, ConsoleToken? token, IPEndPoint listen)
    {
        if (auth == ConsoleAuth.None)
        {
            return IPAddress.IsLoopback(listen.Address)
                ? (new ConsoleOptions(null), null)
                : (null, $"--console-auth none would let anyone who reaches {listen} read the console; give it a token "
                         + $"(--console-token-file FILE or ${ConsoleToken.EnvironmentVariable}), or listen on 127.0.0.1 and put an authenticating reverse proxy in front");
        }
        return token is null
            ? (null, $"--console needs a token: write one to a file and pass --console-token-file FILE, or set ${ConsoleToken.EnvironmentVariable} "
                     + "(e.g. openssl rand -hex 32); on 127.0.0.1 behind an authenticating reverse proxy, --console-auth none serves it without one")
            : (new ConsoleOptions(token), null);
    }
}
