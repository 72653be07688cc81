using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeKubernetes;

/// <summary>The <c>Status</c> objects the real API server returns for failures, with the same reasons and codes.</summary>
public static class KubernetesStatus
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["details"] = details ?? new JsonObject(),
        ["code"] = code,
    };

    public static JsonObject Success(FakeResourceType type, string name, string? uid) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = Details(type, name, uid),
    };

    public static JsonObject NotFound(FakeResourceType type, string name) =>
        Failure(404, "NotFound", $"{type.QualifiedResource} \"{name}\" not found", Details(type, name));

    public static JsonObject ResourceNotFound() =>
        Failure(404, "NotFound", "the server could not find the requested resource");

    public static JsonObject AlreadyExists(FakeResourceType type, string name) =>
        Failure(409, "AlreadyExists", $"{type.QualifiedResource} \"{name}\" already exists", Details(type, name));

    public static JsonObject Conflict(FakeResourceType type, string name) =>
        Failure(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(type, name));

    public static JsonObject ApplyConflict(FakeResourceType type, string name, IReadOnlyList<(string Manager, string Field)> conflicts)
    {
        var causes = new JsonArray();
        foreach (var (manager, field) in conflicts)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with \"{manager}\"",
                ["field"] = field,
            });
        }
        var details = Details(type, name);
        details["causes"] = causes;
        var list = string.Join("\n", conflicts.Select(c => $"- conflict with \"{c.Manager}\": {c.Field}"));
        var noun = conflicts.Count == 1 ? "conflict" : "conflicts";
        return Failure(409, "Conflict", $"Apply failed with {conflicts.Count} {noun}: {list}", details);
    }

    public static JsonObject Gone(long requested, long oldest) =>
        Failure(410, "Expired", $"too old resource version: {requested} ({oldest})");

    public static JsonObject BadRequest(string message) => Failure(400, "BadRequest", message);

    /// <summary>What the max-in-flight and priority-and-fairness filters answer (with the header <c>Retry-After</c>).</summary>
    public static JsonObject TooManyRequests(int retryAfterSeconds) =>
        Failure(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds });

    public static JsonObject Invalid(FakeResourceType type, string name, string message) =>
        Failure(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {message}", Details(type, name));

    private static JsonObject Details(FakeResourceType type, string name, string? uid = null)
    {
        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }
        details["kind"] = type.Plural;
        if (uid is not null)
        {
            details["uid"] = uid;
        }
        return details;
    }
}
