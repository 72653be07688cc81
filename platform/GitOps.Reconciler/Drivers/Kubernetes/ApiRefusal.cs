using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>What a request asked for, in the words RBAC and <c>kubectl</c> use: the verb (<c>list</c>, <c>patch</c>...),
/// the resource (<c>deployments.apps</c>), the namespace and, for one object, its kind and name.</summary>
public sealed record ApiTarget(string Verb, string ApiVersion, string Plural, string Namespace, string? Kind = null, string? Name = null)
{
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    /// <summary><c>deployments.apps</c>, <c>configmaps</c>: how RBAC rules and the API server name a resource.</summary>
    public string Resource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string Object => Name is null ? Resource : $"{Kind ?? Plural} {Namespace}/{Name}";
}

/// <summary>
/// Answers that retrying cannot change — 401 Unauthorized, 403 Forbidden, 404 of a kind the cluster does not serve or
/// a namespace that does not exist, 422 Invalid — turned into one-line messages that say what was refused, which
/// object, and what a person does about it. The reconciler reports them as refusals (tried again after the long
/// backoff), never as faults with stack traces.
/// </summary>
public static class ApiRefusal
{
    /// <summary>The manifest that grants the reconciler its verbs in each environment's namespace.</summary>
    public const string EnvironmentGrant = "platform/deploy/reconciler/environment-rolebindings.yaml";

    /// <summary>The manifest that grants the reconciler its Lease and status ConfigMaps.</summary>
    public const string StateGrant = "platform/deploy/reconciler/role-leader-status.yaml";

    /// <summary>The manifest that creates the environments' namespaces.</summary>
    public const string NamespaceManifest = "platform/deploy/reconciler/environment-namespaces.yaml";

    public static bool IsRefusal(int statusCode) => statusCode is 401 or 403 or 404 or 422;

    /// <summary>The exception for a refused request; <paramref name="grantedBy"/> names the manifest that grants the verb.</summary>
    public static KubernetesApiException From(ApiTarget target, KubernetesResponse response, string grantedBy = EnvironmentGrant)
    {
        var reason = response.Body?["reason"]?.GetValue<string>();
        var serverMessage = response.Body?["message"]?.GetValue<string>() ?? response.RawText;
        var message = response.StatusCode switch
        {
            401 => $"Unauthorized: the API server did not accept the reconciler's credentials to {target.Verb} {target.Resource} in namespace \"{target.Namespace}\"; "
                + "check the ServiceAccount token (in a pod) or the kubeconfig user, then it is tried again",
            403 => $"Forbidden: the reconciler may not {target.Verb} {target.Resource} in namespace \"{target.Namespace}\"; "
                + $"this is granted by {grantedBy}: add the namespace there and apply it (kubectl apply -k platform/deploy/reconciler)",
            404 when IsMissingNamespace(response.Body) =>
                $"NotFound: namespace \"{target.Namespace}\" does not exist, so {target.Object} cannot be written; "
                + $"create it ({NamespaceManifest}) and apply it",
            404 => $"NotFound: the cluster does not serve {target.Resource}/{ApiVersionOnly(target)} ({target.Kind ?? target.Plural}), so {target.Object} cannot be written; "
                + $"install the CRDs that define it{CrdHint(target)} or choose a router the cluster has in the environment",
            422 => $"Invalid: the API server refuses {target.Object}: {InvalidDetail(serverMessage)}",
            _ => $"{target.Verb} {target.Object} failed: HTTP {response.StatusCode}{(reason is null ? "" : $" {reason}")}: {serverMessage}",
        };
        return new KubernetesApiException(message, response.StatusCode, reason, response.Body?["kind"]?.GetValue<string>() == "Status" ? response.Body : null);
    }

    /// <summary>The exception for any failed answer: a refusal's one-line message, or the server's words otherwise.</summary>
    public static KubernetesApiException Failure(ApiTarget target, KubernetesResponse response, string grantedBy = EnvironmentGrant) =>
        IsRefusal(response.StatusCode) ? From(target, response, grantedBy) : KubernetesApiException.From($"{target.Verb} {target.Object}", response);

    private static bool IsMissingNamespace(JsonObject? status) =>
        status?["details"]?["kind"]?.GetValue<string>() == "namespaces";

    private static string ApiVersionOnly(ApiTarget target) =>
        target.ApiVersion.Contains('/') ? target.ApiVersion[(target.ApiVersion.IndexOf('/') + 1)..] : target.ApiVersion;

    private static string CrdHint(ApiTarget target) => target.Group switch
    {
        "gateway.networking.k8s.io" => " (the Gateway API)",
        "networking.istio.io" => " (Istio)",
        _ => "",
    };

    // The server writes 'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be ...': the object is
    // named already, keep what is wrong.
    private static string InvalidDetail(string message)
    {
        var at = message.IndexOf(" is invalid: ", StringComparison.Ordinal);
        return (at < 0 ? message : message[(at + " is invalid: ".Length)..]).ReplaceLineEndings(" ");
    }
}
