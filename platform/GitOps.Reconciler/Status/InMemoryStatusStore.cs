using System.Collections.Concurrent;

namespace GitOps.Reconciler.Status;

/// <summary>
/// Status kept in process memory: for <c>gitops reconcile --once</c> without a cluster to write to, and for tests.
/// A restart forgets everything, so in a cluster use the ConfigMap store.
/// </summary>
public sealed class InMemoryStatusStore : IStatusStore
{
    private readonly ConcurrentDictionary<string, EnvironmentStatus> _statuses = new(StringComparer.Ordinal);

    public Task<EnvironmentStatus?> ReadAsync(string environment, CancellationToken ct) =>
        Task.FromResult(_statuses.TryGetValue(environment, out var s) ? s : null);

    public Task WriteAsync(EnvironmentStatus status, CancellationToken ct)
    {
        _statuses[status.Environment] = status;
        return Task.CompletedTask;
    }
}
