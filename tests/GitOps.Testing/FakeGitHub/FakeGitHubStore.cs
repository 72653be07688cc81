using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeGitHub;

/// <summary>
/// The resources of the fake GitHub API, kept as the JSON the REST API returns: check runs (with their annotations),
/// issues and pull requests with their comments, deployments and their statuses, commit statuses. Field limits are
/// GitHub's: 50 annotations per check-run request, 65,535 characters of check-run summary or text, 65,536 of a comment
/// or issue body, 140 of a status description.
/// </summary>
public sealed class FakeGitHubStore(TimeProvider time, string baseUrl)
{
    public const int MaxAnnotationsPerRequest = 50;
    public const int MaxCheckRunText = 65_535;
    public const int MaxBodyLength = 65_536;
    public const int MaxStatusDescription = 140;

    private static readonly string[] CheckStatuses = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
    private static readonly string[] Conclusions = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"];
    private static readonly string[] CommitStates = ["error", "failure", "pending", "success"];
    private static readonly string[] DeploymentStates = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _checkRuns = [];
    private readonly Dictionary<long, List<JsonObject>> _annotations = [];
    private readonly List<JsonObject> _issues = [];
    private readonly List<JsonObject> _comments = [];
    private readonly List<JsonObject> _deployments = [];
    private readonly Dictionary<long, List<JsonObject>> _deploymentStatuses = [];
    private readonly List<JsonObject> _statuses = [];
    private readonly Dictionary<string, List<int>> _pullsByCommit = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _commitFiles = new(StringComparer.Ordinal);
    private long _nextId = 1000;
    private int _nextNumber = 1;

    // ---- test set-up and inspection ---------------------------------------------------------------------------

    /// <summary>Registers an open pull request whose head is <paramref name="headSha"/>; returns its number.</summary>
    public int AddPullRequest(string repo, string headSha, string title = "Change a model", int? number = null)
    {
        lock (_gate)
        {
            var n = number ?? _nextNumber;
            _nextNumber = Math.Max(_nextNumber, n + 1);
            var issue = NewIssue(repo, n, title, "", [], "octocat");
            issue["pull_request"] = new JsonObject { ["url"] = $"{Repo(repo)}/pulls/{n}", ["html_url"] = $"https://github.example/{repo}/pull/{n}" };
            issue["head_sha"] = headSha;
            _issues.Add(issue);
            AssociateCommit(repo, headSha, n);
            return n;
        }
    }

    /// <summary>
    /// The files of commit <paramref name="sha"/>. Once set, a check run on that commit refuses (422) an annotation
    /// whose path is not among them, the way GitHub refuses a path it cannot place.
    /// </summary>
    public void SetCommitFiles(string repo, string sha, params string[] paths)
    {
        lock (_gate)
        {
            _commitFiles[$"{repo}@{sha}"] = new HashSet<string>(paths, StringComparer.Ordinal);
        }
    }

    /// <summary>Records that <paramref name="sha"/> belongs to pull request <paramref name="number"/> (as a merge commit does).</summary>
    public void AssociateCommit(string repo, string sha, int number)
    {
        lock (_gate)
        {
            var key = $"{repo}@{sha}";
            if (!_pullsByCommit.TryGetValue(key, out var list))
            {
                _pullsByCommit[key] = list = [];
            }
            list.Add(number);
        }
    }

    public IReadOnlyList<JsonObject> CheckRuns(string repo) => Snapshot(_checkRuns, o => (string?)o["repository"] == repo);

    public IReadOnlyList<JsonObject> Annotations(long checkRunId)
    {
        lock (_gate)
        {
            return _annotations.TryGetValue(checkRunId, out var list) ? [.. list.Select(FakeGitHubJson.Copy)] : [];
        }
    }

    public IReadOnlyList<JsonObject> Comments(string repo, int number) =>
        Snapshot(_comments, o => (string?)o["repository"] == repo && (int?)o["issue_number"] == number);

    /// <summary>Issues only (pull requests excluded).</summary>
    public IReadOnlyList<JsonObject> Issues(string repo) =>
        Snapshot(_issues, o => (string?)o["repository"] == repo && o["pull_request"] is null);

    public IReadOnlyList<JsonObject> Deployments(string repo) => Snapshot(_deployments, o => (string?)o["repository"] == repo);

    /// <summary>Statuses of a deployment, oldest first.</summary>
    public IReadOnlyList<JsonObject> DeploymentStatuses(long deploymentId)
    {
        lock (_gate)
        {
            return _deploymentStatuses.TryGetValue(deploymentId, out var list) ? [.. list.Select(FakeGitHubJson.Copy)] : [];
        }
    }

    /// <summary>Commit statuses, oldest first.</summary>
    public IReadOnlyList<JsonObject> CommitStatuses(string repo, string sha) =>
        Snapshot(_statuses, o => (string?)o["repository"] == repo && (string?)o["sha"] == sha);

    /// <summary>Adds <paramref name="count"/> comments by another user to an issue or pull request (to exercise pagination).</summary>
    public void AddComments(string repo, int number, int count, string author = "reviewer")
    {
        for (var i = 0; i < count; i++)
        {
            CreateComment(repo, number, $"Looks fine {i + 1}", author);
        }
    }

    // ---- the API ---------------------------------------------------------------------------------------------

    public JsonObject CreateCheckRun(string repo, JsonObject body, string app)
    {
        var name = (string?)body["name"];
        var headSha = (string?)body["head_sha"];
        if (string.IsNullOrEmpty(name))
        {
            throw GitHubError.Invalid("CheckRun", "name", "missing_field");
        }
        if (string.IsNullOrEmpty(headSha))
        {
            throw GitHubError.Invalid("CheckRun", "head_sha", "missing_field");
        }
        lock (_gate)
        {
            var id = ++_nextId;
            var run = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"CR_{id}",
                ["head_sha"] = headSha,
                ["external_id"] = (string?)body["external_id"] ?? "",
                ["url"] = $"{Repo(repo)}/check-runs/{id}",
                ["html_url"] = $"https://github.example/{repo}/runs/{id}",
                ["details_url"] = (string?)body["details_url"] ?? $"https://github.example/{repo}/runs/{id}",
                ["status"] = "queued",
                ["conclusion"] = null,
                ["started_at"] = FakeGitHubJson.Time(time.GetUtcNow()),
                ["completed_at"] = null,
                ["output"] = new JsonObject
                {
                    ["title"] = null,
                    ["summary"] = null,
                    ["text"] = null,
                    ["annotations_count"] = 0,
                    ["annotations_url"] = $"{Repo(repo)}/check-runs/{id}/annotations",
                },
                ["name"] = name,
                ["check_suite"] = new JsonObject { ["id"] = 1 },
                ["app"] = new JsonObject { ["id"] = 15368, ["slug"] = app, ["name"] = app },
                ["pull_requests"] = new JsonArray(),
                ["repository"] = repo,
            };
            Apply(run, body);
            _checkRuns.Add(run);
            return Public(run);
        }
    }

    public JsonObject UpdateCheckRun(string repo, long id, JsonObject body)
    {
        lock (_gate)
        {
            var run = _checkRuns.FirstOrDefault(r => (long?)r["id"] == id && (string?)r["repository"] == repo) ?? throw GitHubError.NotFound();
            Apply(run, body);
            return Public(run);
        }
    }

    public JsonObject CheckRunsForRef(string repo, string @ref, string? checkName, string? status)
    {
        lock (_gate)
        {
            // Newest first, as the API lists them.
            var runs = _checkRuns
                .Where(r => (string?)r["repository"] == repo && (string?)r["head_sha"] == @ref)
                .Where(r => checkName is null || (string?)r["name"] == checkName)
                .Where(r => status is null || (string?)r["status"] == status)
                .Reverse()
                .Select(Public)
                .ToList();
            return new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = new JsonArray([.. runs]) };
        }
    }

    public List<JsonObject> CheckRunAnnotations(string repo, long id)
    {
        lock (_gate)
        {
            if (!_checkRuns.Any(r => (long?)r["id"] == id && (string?)r["repository"] == repo))
            {
                throw GitHubError.NotFound();
            }
            return [.. Annotations(id)];
        }
    }

    public List<JsonObject> ListComments(string repo, int number)
    {
        lock (_gate)
        {
            RequireIssue(repo, number);
            return [.. Comments(repo, number)];
        }
    }

    public JsonObject CreateComment(string repo, int number, string? body, string author)
    {
        RequireBody(body, "IssueComment");
        lock (_gate)
        {
            RequireIssue(repo, number);
            var id = ++_nextId;
            var now = FakeGitHubJson.Time(time.GetUtcNow());
            var comment = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"IC_{id}",
                ["url"] = $"{Repo(repo)}/issues/comments/{id}",
                ["html_url"] = $"https://github.example/{repo}/pull/{number}#issuecomment-{id}",
                ["issue_url"] = $"{Repo(repo)}/issues/{number}",
                ["body"] = body,
                ["user"] = FakeGitHubJson.User(author),
                ["created_at"] = now,
                ["updated_at"] = now,
                ["author_association"] = "NONE",
                ["repository"] = repo,
                ["issue_number"] = number,
            };
            _comments.Add(comment);
            return Public(comment);
        }
    }

    public JsonObject UpdateComment(string repo, long id, string? body)
    {
        RequireBody(body, "IssueComment");
        lock (_gate)
        {
            var comment = _comments.FirstOrDefault(c => (long?)c["id"] == id && (string?)c["repository"] == repo) ?? throw GitHubError.NotFound();
            comment["body"] = body;
            comment["updated_at"] = FakeGitHubJson.Time(time.GetUtcNow());
            return Public(comment);
        }
    }

    public JsonObject CreateIssue(string repo, JsonObject body, string author)
    {
        var title = (string?)body["title"];
        if (string.IsNullOrWhiteSpace(title))
        {
            throw GitHubError.Invalid("Issue", "title", "missing_field");
        }
        var text = (string?)body["body"] ?? "";
        RequireBody(text, "Issue");
        var labels = body["labels"] is JsonArray a ? a.Select(l => (string?)l ?? "").ToArray() : [];
        lock (_gate)
        {
            var issue = NewIssue(repo, _nextNumber++, title, text, labels, author);
            _issues.Add(issue);
            return Public(issue);
        }
    }

    /// <summary>Issues and pull requests of a repository, newest first, filtered like <c>GET /repos/{o}/{r}/issues</c>.</summary>
    public List<JsonObject> ListIssues(string repo, string state, IReadOnlyList<string> labels)
    {
        lock (_gate)
        {
            return [.. _issues
                .Where(i => (string?)i["repository"] == repo)
                .Where(i => state == "all" || (string?)i["state"] == state)
                .Where(i => labels.All(l => i["labels"]!.AsArray().Any(x => (string?)x!["name"] == l)))
                .Reverse()
                .Select(Public)];
        }
    }

    public List<JsonObject> PullsForCommit(string repo, string sha)
    {
        lock (_gate)
        {
            var numbers = _pullsByCommit.GetValueOrDefault($"{repo}@{sha}") ?? [];
            return [.. numbers.Select(n =>
            {
                var issue = _issues.First(i => (string?)i["repository"] == repo && (int?)i["number"] == n);
                var id = (long)issue["id"]!;
                return new JsonObject
                {
                    ["id"] = id,
                    ["node_id"] = $"PR_{id}",
                    ["number"] = n,
                    ["state"] = (string?)issue["state"],
                    ["title"] = (string?)issue["title"],
                    ["url"] = $"{Repo(repo)}/pulls/{n}",
                    ["html_url"] = $"https://github.example/{repo}/pull/{n}",
                    ["user"] = issue["user"]!.DeepClone(),
                    ["head"] = new JsonObject { ["sha"] = (string?)issue["head_sha"], ["ref"] = "feature" },
                    ["base"] = new JsonObject { ["sha"] = sha, ["ref"] = "main" },
                    ["created_at"] = (string?)issue["created_at"],
                    ["updated_at"] = (string?)issue["updated_at"],
                };
            })];
        }
    }

    public JsonObject CreateDeployment(string repo, JsonObject body, string author)
    {
        var @ref = (string?)body["ref"];
        if (string.IsNullOrEmpty(@ref))
        {
            throw GitHubError.Invalid("Deployment", "ref", "missing_field");
        }
        lock (_gate)
        {
            var id = ++_nextId;
            var now = FakeGitHubJson.Time(time.GetUtcNow());
            var deployment = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"DE_{id}",
                ["url"] = $"{Repo(repo)}/deployments/{id}",
                ["sha"] = @ref,
                ["ref"] = @ref,
                ["task"] = (string?)body["task"] ?? "deploy",
                ["payload"] = body["payload"]?.DeepClone() ?? new JsonObject(),
                ["environment"] = (string?)body["environment"] ?? "production",
                ["original_environment"] = (string?)body["environment"] ?? "production",
                ["description"] = (string?)body["description"],
                ["creator"] = FakeGitHubJson.User(author),
                ["created_at"] = now,
                ["updated_at"] = now,
                ["statuses_url"] = $"{Repo(repo)}/deployments/{id}/statuses",
                ["repository_url"] = Repo(repo),
                ["transient_environment"] = (bool?)body["transient_environment"] ?? false,
                ["production_environment"] = (bool?)body["production_environment"] ?? false,
                ["repository"] = repo,
            };
            _deployments.Add(deployment);
            _deploymentStatuses[id] = [];
            return Public(deployment);
        }
    }

    public List<JsonObject> ListDeployments(string repo, string? sha, string? environment)
    {
        lock (_gate)
        {
            return [.. _deployments
                .Where(d => (string?)d["repository"] == repo)
                .Where(d => sha is null || (string?)d["sha"] == sha)
                .Where(d => environment is null || (string?)d["environment"] == environment)
                .Reverse()
                .Select(Public)];
        }
    }

    /// <summary>
    /// As the API deletes one: a repository's only deployment whatever its state, otherwise only an inactive one (its
    /// latest status <c>inactive</c>); 422 for an active one, 404 for none.
    /// </summary>
    public void DeleteDeployment(string repo, long deploymentId)
    {
        lock (_gate)
        {
            var deployment = _deployments.FirstOrDefault(d => (long?)d["id"] == deploymentId && (string?)d["repository"] == repo)
                ?? throw GitHubError.NotFound();
            var only = _deployments.Count(d => (string?)d["repository"] == repo) == 1;
            if (!only && (string?)_deploymentStatuses[deploymentId].LastOrDefault()?["state"] != "inactive")
            {
                throw GitHubError.Unprocessable("We cannot delete an active deployment unless it is the only deployment in a given environment.");
            }
            _deployments.Remove(deployment);
            _deploymentStatuses.Remove(deploymentId);
        }
    }

    public JsonObject CreateDeploymentStatus(string repo, long deploymentId, JsonObject body, string author)
    {
        var state = (string?)body["state"];
        if (state is null || !DeploymentStates.Contains(state))
        {
            throw GitHubError.Invalid("DeploymentStatus", "state", "invalid");
        }
        RequireDescription((string?)body["description"], "DeploymentStatus");
        lock (_gate)
        {
            var deployment = _deployments.FirstOrDefault(d => (long?)d["id"] == deploymentId && (string?)d["repository"] == repo)
                ?? throw GitHubError.NotFound();
            var id = ++_nextId;
            var now = FakeGitHubJson.Time(time.GetUtcNow());
            var status = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"DES_{id}",
                ["url"] = $"{Repo(repo)}/deployments/{deploymentId}/statuses/{id}",
                ["state"] = state,
                ["creator"] = FakeGitHubJson.User(author),
                ["description"] = (string?)body["description"] ?? "",
                ["environment"] = (string?)body["environment"] ?? (string?)deployment["environment"],
                ["target_url"] = (string?)body["log_url"] ?? (string?)body["target_url"] ?? "",
                ["log_url"] = (string?)body["log_url"] ?? (string?)body["target_url"] ?? "",
                ["environment_url"] = (string?)body["environment_url"] ?? "",
                ["created_at"] = now,
                ["updated_at"] = now,
                ["deployment_url"] = $"{Repo(repo)}/deployments/{deploymentId}",
                ["repository_url"] = Repo(repo),
            };
            _deploymentStatuses[deploymentId].Add(status);
            return Public(status);
        }
    }

    /// <summary>Statuses of a deployment, newest first (as the API lists them).</summary>
    public List<JsonObject> ListDeploymentStatuses(string repo, long deploymentId)
    {
        lock (_gate)
        {
            if (!_deployments.Any(d => (long?)d["id"] == deploymentId && (string?)d["repository"] == repo))
            {
                throw GitHubError.NotFound();
            }
            return [.. _deploymentStatuses[deploymentId].AsEnumerable().Reverse().Select(Public)];
        }
    }

    public JsonObject CreateCommitStatus(string repo, string sha, JsonObject body, string author)
    {
        var state = (string?)body["state"];
        if (state is null || !CommitStates.Contains(state))
        {
            throw GitHubError.Invalid("Status", "state", "invalid");
        }
        RequireDescription((string?)body["description"], "Status");
        lock (_gate)
        {
            var id = ++_nextId;
            var now = FakeGitHubJson.Time(time.GetUtcNow());
            var status = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"SC_{id}",
                ["url"] = $"{Repo(repo)}/statuses/{sha}",
                ["state"] = state,
                ["description"] = (string?)body["description"],
                ["target_url"] = (string?)body["target_url"],
                ["context"] = (string?)body["context"] ?? "default",
                ["creator"] = FakeGitHubJson.User(author),
                ["created_at"] = now,
                ["updated_at"] = now,
                ["repository"] = repo,
                ["sha"] = sha,
            };
            _statuses.Add(status);
            return Public(status);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void Apply(JsonObject run, JsonObject body)
    {
        var status = (string?)body["status"];
        var conclusion = (string?)body["conclusion"];
        if (status is not null && !CheckStatuses.Contains(status))
        {
            throw GitHubError.Invalid("CheckRun", "status", "invalid");
        }
        if (conclusion is not null && !Conclusions.Contains(conclusion))
        {
            throw GitHubError.Invalid("CheckRun", "conclusion", "invalid");
        }
        if (status == "completed" && conclusion is null && run["conclusion"] is null)
        {
            throw GitHubError.Unprocessable("Invalid request.\n\nWhen status is 'completed', 'conclusion' must be specified.");
        }
        if (body["output"] is JsonObject output)
        {
            var title = (string?)output["title"];
            var summary = (string?)output["summary"];
            if (string.IsNullOrEmpty(title) || summary is null)
            {
                throw GitHubError.Unprocessable("Invalid request.\n\nFor 'properties/output', {\"annotations\"=>[...]} is not a valid value: 'title' and 'summary' are required.");
            }
            if (summary.Length > MaxCheckRunText)
            {
                throw GitHubError.Unprocessable($"Invalid request.\n\nOnly {MaxCheckRunText} characters are allowed; {summary.Length} were supplied (output.summary).");
            }
            if (((string?)output["text"])?.Length > MaxCheckRunText)
            {
                throw GitHubError.Unprocessable($"Invalid request.\n\nOnly {MaxCheckRunText} characters are allowed (output.text).");
            }
            var annotations = output["annotations"] as JsonArray ?? [];
            if (annotations.Count > MaxAnnotationsPerRequest)
            {
                throw GitHubError.Unprocessable($"Invalid request.\n\nOnly {MaxAnnotationsPerRequest} annotations are allowed per request; {annotations.Count} were supplied.");
            }
            _commitFiles.TryGetValue($"{run["repository"]}@{run["head_sha"]}", out var files);
            foreach (var a in annotations)
            {
                var path = (string)Annotation(a as JsonObject)["path"]!;
                if (files is not null && !files.Contains(path))
                {
                    throw GitHubError.Unprocessable($"Invalid request.\n\nannotations: path '{path}' is not a file of commit {run["head_sha"]}.");
                }
            }
            var id = (long)run["id"]!;
            if (!_annotations.TryGetValue(id, out var stored))
            {
                _annotations[id] = stored = [];
            }
            // The Checks API appends the annotations of every request to the ones the run already has.
            stored.AddRange(annotations.Select(a => Annotation(a as JsonObject)));
            var runOutput = run["output"]!.AsObject();
            runOutput["title"] = title;
            runOutput["summary"] = summary;
            runOutput["text"] = (string?)output["text"];
            runOutput["annotations_count"] = stored.Count;
        }
        if (body["name"] is { } name)
        {
            run["name"] = (string?)name;
        }
        if (body["details_url"] is { } details)
        {
            run["details_url"] = (string?)details;
        }
        if (conclusion is not null)
        {
            run["status"] = "completed";
            run["conclusion"] = conclusion;
            run["completed_at"] = FakeGitHubJson.Time(time.GetUtcNow());
        }
        else if (status is not null)
        {
            run["status"] = status;
        }
    }

    private static JsonObject Annotation(JsonObject? a)
    {
        if (a is null)
        {
            throw GitHubError.Unprocessable("Invalid request.\n\nEach annotation must be an object.");
        }
        var path = (string?)a["path"];
        var start = (int?)a["start_line"];
        var end = (int?)a["end_line"];
        var level = (string?)a["annotation_level"];
        var message = (string?)a["message"];
        if (string.IsNullOrEmpty(path) || start is null || end is null || level is null || string.IsNullOrEmpty(message))
        {
            throw GitHubError.Unprocessable("Invalid request.\n\n\"path\", \"start_line\", \"end_line\", \"annotation_level\" and \"message\" are required for each annotation.");
        }
        if (level is not ("notice" or "warning" or "failure"))
        {
            throw GitHubError.Unprocessable($"Invalid request.\n\nannotation_level '{level}' is not one of notice, warning, failure.");
        }
        if (end < start || start < 1)
        {
            throw GitHubError.Unprocessable("Invalid request.\n\nend_line must be greater than or equal to start_line.");
        }
        if (a["start_column"] is not null && start != end)
        {
            throw GitHubError.Unprocessable("Invalid request.\n\nstart_column and end_column may only be given when start_line and end_line are the same.");
        }
        return new JsonObject
        {
            ["path"] = path,
            ["start_line"] = start,
            ["end_line"] = end,
            ["start_column"] = (int?)a["start_column"],
            ["end_column"] = (int?)a["end_column"],
            ["annotation_level"] = level,
            ["title"] = (string?)a["title"] ?? "",
            ["message"] = message,
            ["raw_details"] = (string?)a["raw_details"] ?? "",
            ["blob_href"] = $"https://github.example/blob/{path}",
        };
    }

    private JsonObject NewIssue(string repo, int number, string title, string body, IReadOnlyList<string> labels, string author)
    {
        var id = ++_nextId;
        var now = FakeGitHubJson.Time(time.GetUtcNow());
        return new JsonObject
        {
            ["id"] = id,
            ["node_id"] = $"I_{id}",
            ["url"] = $"{Repo(repo)}/issues/{number}",
            ["html_url"] = $"https://github.example/{repo}/issues/{number}",
            ["number"] = number,
            ["state"] = "open",
            ["title"] = title,
            ["body"] = body,
            ["user"] = FakeGitHubJson.User(author),
            ["labels"] = new JsonArray([.. labels.Select(l => (JsonNode)new JsonObject { ["id"] = StringComparer.Ordinal.GetHashCode(l) & 0xFFFF, ["name"] = l, ["color"] = "ededed" })]),
            ["comments"] = 0,
            ["created_at"] = now,
            ["updated_at"] = now,
            ["locked"] = false,
            ["repository"] = repo,
        };
    }

    private void RequireIssue(string repo, int number)
    {
        if (!_issues.Any(i => (string?)i["repository"] == repo && (int?)i["number"] == number))
        {
            throw GitHubError.NotFound();
        }
    }

    private static void RequireBody(string? body, string resource)
    {
        if (body is null)
        {
            throw GitHubError.Invalid(resource, "body", "missing_field");
        }
        if (body.Length > MaxBodyLength)
        {
            throw GitHubError.Invalid(resource, "body", "custom", $"body is too long (maximum is {MaxBodyLength} characters)");
        }
    }

    private static void RequireDescription(string? description, string resource)
    {
        if (description?.Length > MaxStatusDescription)
        {
            throw GitHubError.Invalid(resource, "description", "custom", $"description is too long (maximum is {MaxStatusDescription} characters)");
        }
    }

    private string Repo(string repo) => $"{baseUrl}repos/{repo}";

    private List<JsonObject> Snapshot(List<JsonObject> items, Func<JsonObject, bool> filter)
    {
        lock (_gate)
        {
            return [.. items.Where(filter).Select(FakeGitHubJson.Copy)];
        }
    }

    /// <summary>The resource as the API returns it: without the fake's bookkeeping fields.</summary>
    private static JsonObject Public(JsonObject o)
    {
        var copy = FakeGitHubJson.Copy(o);
        copy.Remove("repository");
        copy.Remove("issue_number");
        if (copy["pull_request"] is not null)
        {
            copy.Remove("head_sha");
        }
        return copy;
    }
}
