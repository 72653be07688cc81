using System.Text.Json.Nodes;

namespace GitOps.Testing.FakeKubernetes;

/// <summary>
/// A lasting refusal the fake API server answers with until it is lifted, as a real cluster does when RBAC does not
/// grant a verb (403), credentials are not accepted (401) or validation rejects an object (422). Null criteria match
/// anything. <see cref="Verb"/> is the request's verb as the server counts it (list, get, watch, create, update,
/// patch, apply, delete).
/// </summary>
public sealed record FakeRefusal
{
    public required int Code { get; init; }

    public string? Verb { get; init; }

    /// <summary>The resource's plural (<c>deployments</c>, <c>httproutes</c>).</summary>
    public string? Resource { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    /// <summary>Matches every object whose name starts with this (the objects of one model: <c>fraud-</c>).</summary>
    public string? NamePrefix { get; init; }

    /// <summary>For 422: the field and why it is invalid (<c>spec.template.spec.nodeSelector: Invalid value: ...</c>).</summary>
    public string Reason { get; init; } = "Invalid value";

    /// <summary>The user named in 403 messages.</summary>
    public string User { get; init; } = "system:serviceaccount:gitops-system:gitops-reconciler";

    public static FakeRefusal Forbidden(string? resource = null, string? @namespace = null, string? verb = null) =>
        new() { Code = 403, Resource = resource, Namespace = @namespace, Verb = verb };

    public static FakeRefusal Unauthorized() => new() { Code = 401 };

    public static FakeRefusal Invalid(string resource, string name, string reason) =>
        new() { Code = 422, Resource = resource, Name = name, Reason = reason };

    internal bool Matches(string verb, string plural, string @namespace, string? name) =>
        (Verb is null || Verb == verb)
        && (Resource is null || Resource == plural)
        && (Namespace is null || Namespace == @namespace)
        && (Name is null || Name == name)
        && (NamePrefix is null || name?.StartsWith(NamePrefix, StringComparison.Ordinal) == true)
        && (Code != 422 || verb is "create" or "update" or "patch" or "apply");

    /// <summary>The Status body the real API server sends for this refusal.</summary>
    internal JsonObject Answer(string verb, FakeResourceType? type, string plural, string group, string @namespace, string? name)
    {
        var qualified = type?.QualifiedResource ?? (group.Length == 0 ? plural : $"{plural}.{group}");
        switch (Code)
        {
            case 401:
                return KubernetesStatus.Failure(401, "Unauthorized", "Unauthorized");
            case 403:
                {
                    // RBAC knows apply as patch and watch as its own verb.
                    var rbacVerb = verb == "apply" ? "patch" : verb;
                    var subject = name is null ? qualified : $"{qualified} \"{name}\"";
                    var details = new JsonObject();
                    if (name is not null)
                    {
                        details["name"] = name;
                    }
                    if (group.Length > 0)
                    {
                        details["group"] = group;
                    }
                    details["kind"] = plural;
                    return KubernetesStatus.Failure(403, "Forbidden",
                        $"{subject} is forbidden: User \"{User}\" cannot {rbacVerb} resource \"{plural}\" in API group \"{group}\" in the namespace \"{@namespace}\"",
                        details);
                }
            case 422 when type is not null:
                {
                    var status = KubernetesStatus.Invalid(type, name ?? "", Reason);
                    var field = Reason.Split(':', 2)[0];
                    status["details"]!["kind"] = type.Kind;
                    status["details"]!["causes"] = new JsonArray(new JsonObject
                    {
                        ["reason"] = "FieldValueInvalid",
                        ["message"] = Reason.Contains(':', StringComparison.Ordinal) ? Reason.Split(':', 2)[1].Trim() : Reason,
                        ["field"] = field,
                    });
                    return status;
                }
            default:
                return KubernetesStatus.Failure(Code, "InternalError", $"refused ({Code})");
        }
    }
}
