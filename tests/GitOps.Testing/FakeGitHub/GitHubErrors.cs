using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeGitHub;

/// <summary>A reply the fake GitHub API sends instead of the resource (status, GitHub's JSON error body, extra headers).</summary>
public sealed class GitHubError(int status, JsonObject body, IReadOnlyDictionary<string, string>? headers = null) : Exception((string?)body["message"])
{
    public int Status { get; } = status;
    public JsonObject Body { get; } = body;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers ?? new Dictionary<string, string>();

    private const string Docs = "https://docs.github.com/rest";

    public static GitHubError NotFound() => new(404, ErrorBody("Not Found"));

    public static GitHubError RequiresAuthentication() => new(401, ErrorBody("Requires authentication"));

    public static GitHubError BadCredentials() => new(401, ErrorBody("Bad credentials"));

    /// <summary>What GitHub answers an Actions or App token that lacks a permission; the header names the permission.</summary>
    public static GitHubError NotAccessible(string permission, bool integration) =>
        new(403, ErrorBody(integration ? "Resource not accessible by integration" : "Resource not accessible by personal access token"),
            new Dictionary<string, string> { ["X-Accepted-GitHub-Permissions"] = permission.Replace(": ", "=", StringComparison.Ordinal) });

    /// <summary>422 "Validation Failed" with one entry in <c>errors</c>, as the REST API words a bad field.</summary>
    public static GitHubError Invalid(string resource, string field, string code, string? message = null)
    {
        var error = new JsonObject { ["resource"] = resource, ["code"] = code, ["field"] = field };
        if (message is not null)
        {
            error["message"] = message;
        }
        var body = ErrorBody("Validation Failed");
        body["errors"] = new JsonArray(error);
        return new GitHubError(422, body);
    }

    /// <summary>422 whose message carries the reason (the form the Checks API uses).</summary>
    public static GitHubError Unprocessable(string message) => new(422, ErrorBody(message));

    public static JsonObject ErrorBody(string message) => new()
    {
        ["message"] = message,
        ["documentation_url"] = Docs,
    };
}
