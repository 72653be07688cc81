using System.Text.Json;
using GitOps.GitHub.Connection;

namespace GitOps.GitHub.PullRequests;

/// <summary>
/// The parts of a <c>pull_request</c> (or <c>pull_request_target</c>) event that <c>gitops github pr-check</c> needs,
/// read from the file <c>GITHUB_EVENT_PATH</c> names.
/// </summary>
public sealed record PullRequestEvent(GitHubRepository Repository, int Number, string HeadSha, string? HeadRepository)
{
    /// <summary>A pull request from a fork: its workflow gets a read-only token unless run on <c>pull_request_target</c>.</summary>
    public bool IsFork => HeadRepository is not null && !string.Equals(HeadRepository, Repository.ToString(), StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the event; a file of another event kind or shape is a <see cref="FormatException"/> saying so.</summary>
    public static PullRequestEvent Parse(ReadOnlySpan<byte> json, string source)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source} is not JSON ({e.Message}); GITHUB_EVENT_PATH should name the event file GitHub Actions writes.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("pull_request", out var pr) || pr.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source} is not a pull_request event; run 'gitops github pr-check' from a workflow triggered by 'pull_request', or pass --pr and --sha.");
            }
            var number = pr.TryGetProperty("number", out var n) && n.TryGetInt32(out var value) ? value
                : root.TryGetProperty("number", out var rn) && rn.TryGetInt32(out var rootValue) ? rootValue
                : throw new FormatException($"{source}: pull_request.number is missing.");
            var head = Property(pr, "head");
            var sha = head is { } h ? String(h, "sha") : null;
            if (string.IsNullOrEmpty(sha))
            {
                throw new FormatException($"{source}: pull_request.head.sha is missing.");
            }
            var baseRepo = Property(pr, "base") is { } b && Property(b, "repo") is { } br ? String(br, "full_name") : null;
            baseRepo ??= Property(root, "repository") is { } r ? String(r, "full_name") : null;
            var repository = GitHubRepository.TryParse(baseRepo)
                ?? throw new FormatException($"{source}: the base repository (pull_request.base.repo.full_name) is missing.");
            var headRepo = head is { } hh && Property(hh, "repo") is { } hr ? String(hr, "full_name") : null;
            return new PullRequestEvent(repository, number, sha, headRepo);
        }
    }

    private static JsonElement? Property(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object ? p : null;

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
