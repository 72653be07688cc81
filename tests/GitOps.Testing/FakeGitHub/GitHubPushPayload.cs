using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeGitHub;

/// <summary>
/// A push webhook body with every field GitHub sends (the shape of GitHub's documented <c>push</c> payload): the
/// repository, the pusher, the sender and one commit. Tests of the webhook endpoint send this rather than the
/// one-field JSON a convenient fake would send.
/// </summary>
public static class GitHubPushPayload
{
    public static string Create(string branch, string after = "6113728f27ae82c7b1a177c8d03f9e96e0adf246", string repository = "acme/ml-platform")
    {
        var (owner, name) = (repository.Split('/')[0], repository.Split('/')[1]);
        var before = "0000000000000000000000000000000000000001";
        var user = new JsonObject
        {
            ["login"] = owner,
            ["id"] = 21031067,
            ["node_id"] = "MDQ6VXNlcjIxMDMxMDY3",
            ["avatar_url"] = "https://avatars.githubusercontent.com/u/21031067?v=4",
            ["gravatar_id"] = "",
            ["url"] = $"https://api.github.com/users/{owner}",
            ["html_url"] = $"https://github.com/{owner}",
            ["followers_url"] = $"https://api.github.com/users/{owner}/followers",
            ["following_url"] = $"https://api.github.com/users/{owner}/following{{/other_user}}",
            ["gists_url"] = $"https://api.github.com/users/{owner}/gists{{/gist_id}}",
            ["starred_url"] = $"https://api.github.com/users/{owner}/starred{{/owner}}{{/repo}}",
            ["subscriptions_url"] = $"https://api.github.com/users/{owner}/subscriptions",
            ["organizations_url"] = $"https://api.github.com/users/{owner}/orgs",
            ["repos_url"] = $"https://api.github.com/users/{owner}/repos",
            ["events_url"] = $"https://api.github.com/users/{owner}/events{{/privacy}}",
            ["received_events_url"] = $"https://api.github.com/users/{owner}/received_events",
            ["type"] = "User",
            ["site_admin"] = false,
        };
        var person = new JsonObject { ["name"] = "Ada Lovelace", ["email"] = "ada@acme.example", ["username"] = owner };
        var commit = new JsonObject
        {
            ["id"] = after,
            ["tree_id"] = "f9d2a07e9488b91af2641b26b9407fe22a451433",
            ["distinct"] = true,
            ["message"] = "models/fraud: raise the AUC gate to 0.86",
            ["timestamp"] = "2026-11-30T12:00:00+00:00",
            ["url"] = $"https://github.com/{repository}/commit/{after}",
            ["author"] = person.DeepClone(),
            ["committer"] = person.DeepClone(),
            ["added"] = new JsonArray(),
            ["removed"] = new JsonArray(),
            ["modified"] = new JsonArray("models/fraud/model.yaml"),
        };
        var payload = new JsonObject
        {
            ["ref"] = $"refs/heads/{branch}",
            ["before"] = before,
            ["after"] = after,
            ["repository"] = new JsonObject
            {
                ["id"] = 186853002,
                ["node_id"] = "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
                ["name"] = name,
                ["full_name"] = repository,
                ["private"] = true,
                ["owner"] = user.DeepClone(),
                ["html_url"] = $"https://github.com/{repository}",
                ["description"] = "Models, gates and rollouts of the ML platform",
                ["fork"] = false,
                ["url"] = $"https://github.com/{repository}",
                ["git_url"] = $"git://github.com/{repository}.git",
                ["ssh_url"] = $"git@github.com:{repository}.git",
                ["clone_url"] = $"https://github.com/{repository}.git",
                ["created_at"] = 1557933565,
                ["updated_at"] = "2026-11-30T11:59:00Z",
                ["pushed_at"] = 1796040000,
                ["size"] = 120,
                ["stargazers_count"] = 0,
                ["watchers_count"] = 0,
                ["language"] = "C#",
                ["has_issues"] = true,
                ["has_projects"] = false,
                ["has_downloads"] = true,
                ["has_wiki"] = false,
                ["has_pages"] = false,
                ["forks_count"] = 0,
                ["archived"] = false,
                ["disabled"] = false,
                ["open_issues_count"] = 2,
                ["forks"] = 0,
                ["open_issues"] = 2,
                ["watchers"] = 0,
                ["default_branch"] = "main",
                ["stargazers"] = 0,
                ["master_branch"] = "main",
                ["visibility"] = "private",
                ["topics"] = new JsonArray(),
            },
            ["pusher"] = new JsonObject { ["name"] = owner, ["email"] = "ada@acme.example" },
            ["sender"] = user.DeepClone(),
            ["created"] = false,
            ["deleted"] = false,
            ["forced"] = false,
            ["base_ref"] = null,
            ["compare"] = $"https://github.com/{repository}/compare/{before[..12]}...{after[..12]}",
            ["commits"] = new JsonArray(commit.DeepClone()),
            ["head_commit"] = commit,
        };
        return payload.ToJsonString();
    }
}
