using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.GitHub.Connection;

/// <summary>
/// The JSON Web Token a GitHub App authenticates with: RS256 over <c>{"alg":"RS256","typ":"JWT"}</c> and
/// <c>{"iat","exp","iss"}</c>, signed with the app's private key. GitHub accepts at most 10 minutes between
/// <c>iat</c> and <c>exp</c>; <c>iat</c> is set 60 seconds in the past to allow for clock drift, as GitHub advises.
/// </summary>
public static class GitHubAppJwt
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    public static string Create(long appId, string privateKeyPem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);
        }
        catch (ArgumentException e)
        {
            throw new GitHubRequestException(GitHubFailure.Unauthorized,
                $"the GitHub App private key is not a PEM RSA key ({e.Message}). Download a new key from the app's settings page (General > Private keys).", inner: e);
        }
        var header = Base64Url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"u8);
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iat"] = (now - TimeSpan.FromSeconds(60)).ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["iss"] = appId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        var signature = rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{claims}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{claims}.{Base64Url(signature)}";
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
