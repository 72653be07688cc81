using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeGitHub;

/// <summary>Small pieces of the REST API's JSON shapes shared by every resource of the fake server.</summary>
public static class FakeGitHubJson
{
    /// <summary>GitHub's timestamp format: ISO 8601 in UTC, whole seconds.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The user or bot that made a request (the Actions token acts as <c>github-actions[bot]</c>).</summary>
    public static JsonObject User(string login) => new()
    {
        ["login"] = login,
        ["id"] = Math.Abs(StringComparer.Ordinal.GetHashCode(login) % 100_000) + 1,
        ["node_id"] = "U_" + login,
        ["type"] = login.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User",
        ["site_admin"] = false,
        ["html_url"] = $"https://github.example/{login}",
    };

    /// <summary>A deep copy, so a reply never shares nodes with the stored resource.</summary>
    public static JsonObject Copy(JsonObject o) => o.DeepClone().AsObject();
}
