using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Registry;

/// <summary>
/// Registry facts learnt from the cluster and kept there: a version is trained once its training Job succeeded or a
/// Deployment served it, and an environment's stable version is that of its stable Deployment. What is learnt is
/// saved in <paramref name="store"/> at once, so a Deployment or succeeded Job deleted by hand changes no fact: the
/// next pass recreates the Deployment and neither retrains nor prunes anything. The registry of record will replace
/// this behind <see cref="IRegistry"/>.
/// </summary>
public sealed class ClusterRegistry(IRegistryFactStore store) : IRegistry
{
    public async Task<RegistryFacts> ReadAsync(string environment, IReadOnlyList<JsonObject> observed, CancellationToken ct)
    {
        var stored = await store.ReadAsync(environment, ct);                                        // I/O
        var facts = DurableFacts.Combine(stored?.Facts ?? RegistryFacts.Empty, ObservedFacts.From(observed)); // pure
        var text = DurableFacts.ToText(facts);
        if (text != stored?.Text)
        {
            // A lost race means another replica saved first; the next pass merges again.
            await store.SaveAsync(environment, text, stored?.ResourceVersion, ct);                  // I/O
        }
        return facts;
    }
}
