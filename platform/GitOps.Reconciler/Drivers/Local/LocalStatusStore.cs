using System.Globalization;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Status;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// Each environment's <see cref="EnvironmentStatus"/> as <c>status/&lt;env&gt;.json</c> in the state folder: the same
/// ConfigMap the reconciler keeps in a cluster, with the same optimistic concurrency (a save with a stale token is
/// refused), so <c>gitops status</c> reads both alike.
/// </summary>
public sealed class LocalStatusStore(StateFolder state, string @namespace) : IEnvironmentStatusStore
{
    private readonly Lock _gate = new();

    public string PathOf(string environment) => Path.Combine(state.StatusFolder, environment + ".json");

    public Task<EnvironmentStatus?> ReadAsync(string environment, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Read(environment));
        }
    }

    public Task<EnvironmentStatus> SaveAsync(EnvironmentStatus status, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = Read(status.Environment);
            if (current?.ResourceVersion != status.ResourceVersion)
            {
                throw new StatusConflictException(status.Environment,
                    $"stored version {current?.ResourceVersion ?? "none"}, read {status.ResourceVersion ?? "none"}");
            }
            var next = long.TryParse(current?.ResourceVersion, CultureInfo.InvariantCulture, out var n) ? n + 1 : 1;
            var saved = status with { ResourceVersion = next.ToString(CultureInfo.InvariantCulture) };
            var configMap = ConfigMapStatusStore.ToConfigMap(saved, @namespace);
            configMap["metadata"]!["resourceVersion"] = saved.ResourceVersion;
            StateFolder.WriteJson(PathOf(status.Environment), configMap);
            return Task.FromResult(saved);
        }
    }

    private EnvironmentStatus? Read(string environment) =>
        StateFolder.ReadJson(PathOf(environment)) is { } configMap ? ConfigMapStatusStore.FromConfigMap(environment, configMap) : null;
}
