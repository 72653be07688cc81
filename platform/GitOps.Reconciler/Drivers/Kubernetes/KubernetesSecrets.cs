using System.Text;
using GitOps.Reconciler.Lifecycle;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>Reads a key of a Secret through the API server (<c>get</c> on <c>secrets</c> in the environment's
/// namespace). A missing Secret or key and a refused read are problems for a person, said with what to do; other
/// failures are transient. The value is never put in a message.</summary>
public sealed class KubernetesSecrets(KubernetesApiConnection api) : ISecrets
{
    public async Task<SecretValue> ReadAsync(string @namespace, string name, string key, CancellationToken ct)
    {
        KubernetesResponse response;
        try
        {
            response = await api.SendAsync(HttpMethod.Get, KubernetesPaths.Item("v1", "secrets", @namespace, name), null, null, ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or KubernetesApiException && !ct.IsCancellationRequested)
        {
            return new SecretValue(null, $"cannot read the Secret {@namespace}/{name}: {e.Message}", Transient: true);
        }
        switch (response.StatusCode)
        {
            case 404:
                return new SecretValue(null, $"the Secret {@namespace}/{name} does not exist: create it with " +
                    $"'kubectl -n {@namespace} create secret generic {name} --from-file={key}=TOKEN_FILE'");
            case 401 or 403:
                return new SecretValue(null, $"the reconciler may not read the Secret {@namespace}/{name} (HTTP {response.StatusCode}): " +
                    $"grant its service account 'get' on secrets in namespace {@namespace} (docs/operations.md, Permissions the reconciler needs)");
        }
        if (!response.IsSuccess || response.Body is null)
        {
            return new SecretValue(null, $"cannot read the Secret {@namespace}/{name}: HTTP {response.StatusCode}", Transient: true);
        }
        if (response.Body["data"]?[key]?.GetValue<string>() is not { } encoded)
        {
            return new SecretValue(null, $"the Secret {@namespace}/{name} has no key '{key}': add it, or name the right key in spec.artifacts.tokenSecretRef.key");
        }
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return new SecretValue(null, $"the key '{key}' of the Secret {@namespace}/{name} is not base64");
        }
        // kubectl create secret --from-file keeps the file's trailing newline; it is not part of the token.
        var token = text.TrimEnd('\r', '\n');
        return token.Length == 0
            ? new SecretValue(null, $"the key '{key}' of the Secret {@namespace}/{name} is empty: put the artifact store's token in it")
            : SecretValue.Found(token);
    }
}
