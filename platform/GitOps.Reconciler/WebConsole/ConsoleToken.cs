using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Hosting;

namespace GitOps.Reconciler.WebConsole;

/// <summary>
/// The bearer token the web console requires, read from a file (a mounted Secret) or <see cref="EnvironmentVariable"/>.
/// It is never printed (<see cref="ToString"/> is redacted) and compared in constant time.
/// </summary>
public sealed class ConsoleToken
{
    /// <summary>Environment variable read when no file is given.</summary>
    public const string EnvironmentVariable = "GITOPS_CONSOLE_TOKEN";

    private readonly byte[] _digest;

    private ConsoleToken(string value, string source)
    {
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        // The browser keeps this, not the token: a cookie read from a disk cache does not give the bearer token away.
        Session = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(value), "gitops-console-session"u8));
        Source = source;
    }

    /// <summary>Where it came from (<c>file PATH</c> or <c>env GITOPS_CONSOLE_TOKEN</c>), safe to log.</summary>
    public string Source { get; }

    /// <summary>The value of the session cookie a browser gets once it presented the token.</summary>
    public string Session { get; }

    public static ConsoleToken FromValue(string value, string source) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException("the console token is empty", nameof(value)) : new(value, source);

    /// <summary>The token from <paramref name="file"/> when given, else from <see cref="EnvironmentVariable"/>; null when
    /// neither is set. Throws <see cref="IOException"/> with the path when the file cannot be read or is empty.</summary>
    public static ConsoleToken? Load(string? file, Func<string, string?> environment) =>
        SecretSource.Read(file, EnvironmentVariable, "console token", environment) is { } secret
            ? new ConsoleToken(secret.Value, secret.Source)
            : null;

    /// <summary>True when <paramref name="candidate"/> is the token; the time taken does not depend on where they differ
    /// nor on the candidate's length (both sides are hashed first).</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));

    /// <summary>True when <paramref name="cookie"/> is the session value this token gives.</summary>
    public bool MatchesSession(string? cookie) =>
        cookie is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Session), Encoding.ASCII.GetBytes(cookie));

    public override string ToString() => $"<console token from {Source}>";
}
