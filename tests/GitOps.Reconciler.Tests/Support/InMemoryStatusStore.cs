using System.Collections.Concurrent;
using System.Globalization;
using GitOps.Reconciler.Status;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>Status kept in memory with the same optimistic concurrency as the ConfigMap store.</summary>
internal sealed class InMemoryStatusStore : IEnvironmentStatusStore
{
    private readonly ConcurrentDictionary<string, EnvironmentStatus> _statuses = new(StringComparer.Ordinal);
    private long _version;

    public Task<EnvironmentStatus?> ReadAsync(string environment, CancellationToken ct) =>
        Task.FromResult(_statuses.TryGetValue(environment, out var s) ? s : null);

    public Task<EnvironmentStatus> SaveAsync(EnvironmentStatus status, CancellationToken ct)
    {
        lock (_statuses)
        {
            _statuses.TryGetValue(status.Environment, out var current);
            if (current?.ResourceVersion != status.ResourceVersion)
            {
                throw new StatusConflictException(status.Environment, "resourceVersion changed");
            }
            var saved = status with { ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture) };
            _statuses[status.Environment] = saved;
            return Task.FromResult(saved);
        }
    }
}
