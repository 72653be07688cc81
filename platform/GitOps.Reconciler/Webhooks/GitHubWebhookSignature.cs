using System.Security.Cryptography;
using System.Text;

namespace GitOps.Reconciler.Webhooks;

/// <summary>Outcome of checking a GitHub webhook delivery's <c>X-Hub-Signature-256</c> header.</summary>
public enum WebhookSignatureResult
{
    Valid,
    Missing,
    Malformed,
    Mismatch,
}

/// <summary>
/// Verifies GitHub's <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c> header: an HMAC-SHA256 of the raw request body
/// keyed with the webhook secret. The comparison is constant-time so the signature cannot be guessed byte by byte.
/// </summary>
public static class GitHubWebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>The header value GitHub would send for <paramref name="body"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> body, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    public static WebhookSignatureResult Verify(ReadOnlySpan<byte> body, string? headerValue, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return WebhookSignatureResult.Missing;
        }
        var value = headerValue.Trim();
        if (!value.StartsWith(Prefix, StringComparison.Ordinal) || value.Length != Prefix.Length + 64)
        {
            return WebhookSignatureResult.Malformed;
        }
        byte[] given;
        try
        {
            given = Convert.FromHexString(value.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return WebhookSignatureResult.Malformed;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? WebhookSignatureResult.Valid
            : WebhookSignatureResult.Mismatch;
    }

    public static bool IsValid(ReadOnlySpan<byte> body, string? headerValue, string secret) =>
        Verify(body, headerValue, secret) == WebhookSignatureResult.Valid;
}
