using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>What the <c>ERROR</c> event of a watch stream says (its object is a <c>Status</c>).</summary>
internal static class WatchErrors
{
    /// <summary>Returns when the server no longer has the watch's resourceVersion (410 Gone: list again); throws any
    /// other error as a <see cref="KubernetesApiException"/> naming <paramref name="watch"/>.</summary>
    public static void ThrowUnlessExpired(JsonObject? status, string watch)
    {
        var code = status?["code"]?.GetValue<int>() ?? 0;
        if (code != 410)
        {
            throw new KubernetesApiException($"{watch} failed: {status?["message"]?.GetValue<string>()}", code, status?["reason"]?.GetValue<string>(), status);
        }
    }
}
