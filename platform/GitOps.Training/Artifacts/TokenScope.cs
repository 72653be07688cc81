namespace GitOps.Training.Artifacts;

/// <summary>
/// Where the artifact store's bearer token may go. <see cref="AnyUri"/>: to whatever http(s) URI the command is given,
/// when that URI names the store itself (<c>gitops artifacts fetch|push</c>, the trainer's dataset and artifact URIs
/// from its spec). <see cref="Store"/>: only to the origin (scheme, host and port) of one artifact store, for a command
/// whose other URIs are data that may live on any host (<c>gitops score</c>'s <c>--input</c> and <c>--out</c>): the
/// store's credential is never handed to a third party.
/// </summary>
public sealed class TokenScope
{
    private readonly bool _anywhere;
    private readonly Uri? _origin;

    private TokenScope(bool anywhere, Uri? origin, string? hint)
    {
        _anywhere = anywhere;
        _origin = origin;
        Hint = hint;
    }

    public static TokenScope AnyUri { get; } = new(anywhere: true, null, null);

    /// <summary>What to do when a URI outside the scope needs the token (how to name the store), for error messages.</summary>
    public string? Hint { get; }

    /// <summary>The origin of <paramref name="storeUri"/> when it is an http(s) URI; nowhere for none, a path or s3://
    /// (an S3 store authenticates with its own credentials, not the bearer token).</summary>
    public static TokenScope Store(string? storeUri, string? hint = null) =>
        new(anywhere: false, Uri.TryCreate(storeUri?.Trim(), UriKind.Absolute, out var uri) && IsHttp(uri) ? uri : null, hint);

    /// <summary>Whether the token may be sent with a request to <paramref name="url"/>.</summary>
    public bool Allows(Uri url) =>
        _anywhere || _origin is { } origin && IsHttp(url)
            && string.Equals(url.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(url.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase)
            && url.Port == origin.Port;

    /// <summary>Whether the token may be sent with requests under <paramref name="uri"/> (a URI as the user wrote it).</summary>
    public bool Allows(string uri) => _anywhere || Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var url) && Allows(url);

    private static bool IsHttp(Uri uri) => uri.Scheme is "http" or "https";
}
