using k8s;
using k8s.Authentication;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// Which kubeconfig files a command reads, as kubectl decides: <c>--kubeconfig</c> when given; else every file of the
/// <c>KUBECONFIG</c> list (separated by ':' on Linux and macOS, ';' on Windows), merged in order so that the first
/// file to set a value wins, missing files skipped; else <c>~/.kube/config</c>.
/// </summary>
public static class KubeconfigFiles
{
    public const string Variable = "KUBECONFIG";

    public static IReadOnlyList<string> Resolve(string? kubeconfigPath, Func<string, string?> variables)
    {
        if (kubeconfigPath is { Length: > 0 })
        {
            return [kubeconfigPath];
        }
        if (variables(Variable) is { Length: > 0 } list)
        {
            var existing = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal)
                .Where(File.Exists)
                .ToList();
            return existing.Count > 0
                ? existing
                : throw new FileNotFoundException($"none of the files in ${Variable} exist ({list}); fix ${Variable} or pass --kubeconfig");
        }
        var home = variables("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return [Path.Combine(home, ".kube", "config")];
    }

    /// <summary>The client configuration of <paramref name="context"/> (null: the merged current-context).</summary>
    public static KubernetesClientConfiguration Load(string? kubeconfigPath, string? context, Func<string, string?> variables)
    {
        var files = Resolve(kubeconfigPath, variables);
        // Each file is read with its own folder as the base of relative paths (made absolute as it is read), then
        // merged: the first file that names a cluster, user, context or the current-context wins, as in kubectl.
        var configs = files.Select(KubeconfigReader.Read).ToList();
        var merged = configs[0];
        merged.CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c));
        merged.Clusters = [.. configs.SelectMany(c => c.Clusters ?? []).DistinctBy(c => c.Name, StringComparer.Ordinal)];
        merged.Users = [.. configs.SelectMany(c => c.Users ?? []).DistinctBy(u => u.Name, StringComparer.Ordinal)];
        merged.Contexts = [.. configs.SelectMany(c => c.Contexts ?? []).DistinctBy(c => c.Name, StringComparer.Ordinal)];
        Anonymous(merged);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        var details = merged.Contexts.First(c => string.Equals(c.Name, config.CurrentContext, StringComparison.OrdinalIgnoreCase)).ContextDetails;
        // The cluster's proxy-url, which the client's model has no field for: the transport hands its handler over.
        if (merged.Clusters.FirstOrDefault(c => string.Equals(c.Name, details.Cluster, StringComparison.OrdinalIgnoreCase))?.ClusterEndpoint is { } endpoint
            && KubeconfigReader.ProxyUrlOf(endpoint) is { } proxy)
        {
            config.FirstMessageHandlerSetup = handler =>
            {
                if (handler is SocketsHttpHandler sockets)
                {
                    sockets.Proxy = new System.Net.WebProxy(proxy);
                    sockets.UseProxy = true;
                }
            };
        }
        // A user whose token comes from a file gets it read again as it rotates (every minute), as in a pod.
        var user = details.User;
        if (config.TokenProvider is null
            && merged.Users.FirstOrDefault(u => string.Equals(u.Name, user, StringComparison.OrdinalIgnoreCase))?.UserCredentials is { } credentials
            && KubeconfigReader.TokenFileOf(credentials) is { } tokenFile)
        {
            config.TokenProvider = new TokenFileAuth(tokenFile);
        }
        return config;
    }

    /// <summary>
    /// A user with no credentials at all (<c>user: {}</c>) is anonymous, as kubectl takes it: <c>kubectl proxy</c> on
    /// 127.0.0.1, or an API server behind a proxy that authenticates. The client library refuses such a user, so the
    /// contexts naming one are given no user, which the library reads as anonymous requests; the server's 401 or 403
    /// then says what is missing.
    /// </summary>
    private static void Anonymous(k8s.KubeConfigModels.K8SConfiguration merged)
    {
        var anonymous = (merged.Users ?? []).Where(u => u.UserCredentials is null || HasNone(u.UserCredentials))
            .Select(u => u.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var details in (merged.Contexts ?? []).Select(c => c.ContextDetails))
        {
            if (details?.User is { } user && anonymous.Contains(user))
            {
                details.User = null;
            }
        }
    }

    private static bool HasNone(k8s.KubeConfigModels.UserCredentials c) =>
        string.IsNullOrEmpty(c.Token) && string.IsNullOrEmpty(c.UserName) && string.IsNullOrEmpty(c.Password)
        && string.IsNullOrEmpty(c.ClientCertificate) && string.IsNullOrEmpty(c.ClientCertificateData)
        && string.IsNullOrEmpty(c.ClientKey) && string.IsNullOrEmpty(c.ClientKeyData) && string.IsNullOrEmpty(c.Impersonate)
        && c.AuthProvider is null && c.ExternalExecution is null && KubeconfigReader.TokenFileOf(c) is null;
}
