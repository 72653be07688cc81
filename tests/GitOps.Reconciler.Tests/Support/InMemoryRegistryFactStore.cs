using System.Collections.Concurrent;
using System.Globalization;
using GitOps.Reconciler.Registry;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>Registry facts kept in memory with the same optimistic concurrency as the ConfigMap store.</summary>
internal sealed class InMemoryRegistryFactStore : IRegistryFactStore
{
    private readonly ConcurrentDictionary<string, StoredFacts> _facts = new(StringComparer.Ordinal);
    private long _version;

    public Task<StoredFacts?> ReadAsync(string environment, CancellationToken ct) =>
        Task.FromResult(_facts.TryGetValue(environment, out var f) ? f : null);

    public Task<bool> SaveAsync(string environment, string text, string? resourceVersion, CancellationToken ct)
    {
        lock (_facts)
        {
            _facts.TryGetValue(environment, out var current);
            if (current?.ResourceVersion != resourceVersion)
            {
                return Task.FromResult(false);
            }
            _facts[environment] = new StoredFacts(DurableFacts.FromText(text), text, (++_version).ToString(CultureInfo.InvariantCulture));
            return Task.FromResult(true);
        }
    }
}
