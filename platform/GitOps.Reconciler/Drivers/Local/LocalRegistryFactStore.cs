using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Registry;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// The registry facts of a local environment as <c>registry/&lt;env&gt;.json</c> in the state folder, with the same
/// optimistic concurrency as the ConfigMap the reconciler keeps in a cluster.
/// </summary>
public sealed class LocalRegistryFactStore(StateFolder state) : IRegistryFactStore
{
    private readonly Lock _gate = new();

    private string PathOf(string environment) => Path.Combine(state.Root, "registry", environment + ".json");

    public Task<StoredFacts?> ReadAsync(string environment, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Read(environment));
        }
    }

    public Task<bool> SaveAsync(string environment, string text, string? resourceVersion, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = StateFolder.ReadJson(PathOf(environment));
            var stored = current?["resourceVersion"]?.GetValue<string>();
            if (stored != resourceVersion)
            {
                return Task.FromResult(false);
            }
            var next = long.TryParse(stored, CultureInfo.InvariantCulture, out var n) ? n + 1 : 1;
            StateFolder.WriteJson(PathOf(environment), new JsonObject
            {
                ["facts"] = text,
                ["resourceVersion"] = next.ToString(CultureInfo.InvariantCulture),
            });
            return Task.FromResult(true);
        }
    }

    private StoredFacts? Read(string environment) =>
        StateFolder.ReadJson(PathOf(environment)) is { } json && json["facts"]?.GetValue<string>() is { } text
            ? new StoredFacts(DurableFacts.FromText(text), text, json["resourceVersion"]?.GetValue<string>())
            : null;
}
