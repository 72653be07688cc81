using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeGitHub;

/// <summary>A token the fake server accepts: its permissions (<c>checks: write</c> …) and, for installation tokens, its expiry.</summary>
public sealed record FakeGitHubToken(string Value, ImmutableHashSet<string> Permissions, bool Integration, DateTimeOffset? ExpiresAt)
{
    /// <summary>True when the token holds <paramref name="permission"/> (<c>checks: read</c> is implied by <c>checks: write</c>).</summary>
    public bool Allows(string permission) =>
        Permissions.Contains(permission)
        || (permission.EndsWith(": read", StringComparison.Ordinal)
            && Permissions.Contains(permission[..^": read".Length] + ": write"));
}

/// <summary>A GitHub App known to the fake server: its id, public key and one installation.</summary>
public sealed record FakeGitHubApp(long AppId, string PublicKeyPem, long InstallationId, ImmutableHashSet<string> Permissions, TimeSpan TokenLifetime);

/// <summary>
/// The fake server's credentials: personal or Actions tokens, and GitHub Apps whose JWT (RS256, <c>iss</c> = app id,
/// at most 10 minutes between <c>iat</c> and <c>exp</c>) is exchanged for installation tokens that expire.
/// </summary>
public sealed class FakeGitHubTokens(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, FakeGitHubToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, FakeGitHubApp> _apps = new();
    private int _issued;

    public void Add(FakeGitHubToken token) => _tokens[token.Value] = token;

    public void AddApp(FakeGitHubApp app) => _apps[app.AppId] = app;

    /// <summary>Installation tokens handed out so far.</summary>
    public int InstallationTokensIssued => Volatile.Read(ref _issued);

    /// <summary>The token named by an <c>Authorization: token X</c> or <c>Bearer X</c> header.</summary>
    public FakeGitHubToken Authenticate(string? authorization)
    {
        var token = Credential(authorization) ?? throw GitHubError.RequiresAuthentication();
        if (!_tokens.TryGetValue(token, out var known) || known.ExpiresAt <= time.GetUtcNow())
        {
            throw GitHubError.BadCredentials();
        }
        return known;
    }

    /// <summary><c>POST /app/installations/{id}/access_tokens</c>: checks the app's JWT and issues an installation token.</summary>
    public JsonObject CreateInstallationToken(string? authorization, long installationId)
    {
        var jwt = Credential(authorization) ?? throw GitHubError.RequiresAuthentication();
        var app = VerifyJwt(jwt);
        if (app.InstallationId != installationId)
        {
            throw GitHubError.NotFound();
        }
        var expires = time.GetUtcNow() + app.TokenLifetime;
        var value = $"ghs_{Interlocked.Increment(ref _issued):D4}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
        Add(new FakeGitHubToken(value, app.Permissions, Integration: true, expires));
        var permissions = new JsonObject();
        foreach (var p in app.Permissions.Order(StringComparer.Ordinal))
        {
            var parts = p.Split(": ");
            permissions[parts[0]] = parts[1];
        }
        return new JsonObject
        {
            ["token"] = value,
            ["expires_at"] = FakeGitHubJson.Time(expires),
            ["permissions"] = permissions,
            ["repository_selection"] = "all",
        };
    }

    private FakeGitHubApp VerifyJwt(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            throw new GitHubError(401, GitHubError.ErrorBody("A JSON web token could not be decoded"));
        }
        JsonObject header, claims;
        try
        {
            header = JsonNode.Parse(Base64Url(parts[0]))!.AsObject();
            claims = JsonNode.Parse(Base64Url(parts[1]))!.AsObject();
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw new GitHubError(401, GitHubError.ErrorBody("A JSON web token could not be decoded"));
        }
        if ((string?)header["alg"] != "RS256")
        {
            throw new GitHubError(401, GitHubError.ErrorBody("A JSON web token could not be decoded"));
        }
        var issuer = claims["iss"]?.GetValueKind() switch
        {
            JsonValueKind.Number => (long)claims["iss"]!,
            JsonValueKind.String when long.TryParse((string?)claims["iss"], out var n) => n,
            _ => -1,
        };
        if (!_apps.TryGetValue(issuer, out var app))
        {
            throw new GitHubError(401, GitHubError.ErrorBody("Integration not found"));
        }
        using var rsa = RSA.Create();
        rsa.ImportFromPem(app.PublicKeyPem);
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!rsa.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            throw new GitHubError(401, GitHubError.ErrorBody("A JSON web token could not be decoded"));
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var iat = (long?)claims["iat"] ?? long.MaxValue;
        var exp = (long?)claims["exp"] ?? 0;
        if (exp <= now || iat > now + 60 || exp - iat > 600)
        {
            throw new GitHubError(401, GitHubError.ErrorBody("'Expiration time' claim ('exp') is too far in the future"));
        }
        return app;
    }

    private static string? Credential(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return null;
        }
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return null;
        }
        var scheme = authorization[..space];
        return scheme.Equals("token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase)
            ? authorization[(space + 1)..].Trim()
            : null;
    }

    private static byte[] Base64Url(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        return Convert.FromBase64String(padded);
    }
}
