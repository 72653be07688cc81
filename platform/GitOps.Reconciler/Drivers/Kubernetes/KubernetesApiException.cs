using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// The API server refused a request, or could not be reached after retries (<see cref="StatusCode"/> 0). Carries the
/// server's <c>Status</c> reason (<c>NotFound</c>, <c>Conflict</c>, <c>AlreadyExists</c>, <c>Expired</c>...).
/// </summary>
public class KubernetesApiException(string message, int statusCode, string? reason, JsonObject? status, Exception? inner = null)
    : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    public string? Reason { get; } = reason;

    /// <summary>The <c>Status</c> object the server returned, when it returned one.</summary>
    public JsonObject? Status { get; } = status;

    public bool IsTransient => StatusCode == 0 || RetryPolicy.IsTransient(StatusCode);

    /// <summary>A refusal retrying cannot change (401, 403, 404, 422): a person fixes RBAC, credentials, CRDs or the
    /// object. See <see cref="ApiRefusal"/>.</summary>
    public bool IsRefusal => ApiRefusal.IsRefusal(StatusCode);

    internal static KubernetesApiException From(string operation, KubernetesResponse response)
    {
        var message = response.Body?["message"]?.GetValue<string>() ?? response.RawText;
        var reason = response.Body?["reason"]?.GetValue<string>();
        return new KubernetesApiException(
            $"{operation} failed: HTTP {response.StatusCode}{(reason is null ? "" : $" {reason}")}: {message}",
            response.StatusCode, reason, response.Body?["kind"]?.GetValue<string>() == "Status" ? response.Body : null);
    }
}

/// <summary>
/// Server-side apply was refused because other field managers own fields we tried to set (HTTP 409).
/// <see cref="Conflicts"/> lists each field and its owner, as the server reported them.
/// </summary>
public sealed class ApplyConflictException(string objectName, IReadOnlyList<FieldConflict> conflicts, JsonObject? status)
    : KubernetesApiException(
        $"apply of {objectName} conflicts with other field managers: "
        + string.Join("; ", conflicts.Select(c => $"{c.Field} is owned by \"{c.Manager}\""))
        + ". Another tool changed these fields; remove them from that tool or let GitOps take them over with force.",
        409, "Conflict", status)
{
    public string ObjectName { get; } = objectName;

    public IReadOnlyList<FieldConflict> Conflicts { get; } = conflicts;
}

/// <summary>A field another manager owns: the path (<c>.spec.replicas</c>) and the manager's name.</summary>
public sealed record FieldConflict(string Field, string Manager);
