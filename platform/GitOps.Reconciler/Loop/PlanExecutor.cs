using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Drivers.Kubernetes;

namespace GitOps.Reconciler.Loop;

/// <summary>What <see cref="PlanExecutor"/> did. <paramref name="Refused"/> lists objects the API server refused;
/// <paramref name="Skipped"/> counts the later actions of their models that were held back.</summary>
public sealed record ExecutionResult(int Applied, int Pruned, ImmutableArray<ObjectRefusal> Refused, int Skipped);

/// <summary>
/// Carries out a plan against a cluster: server-side apply of creates and updates wave by wave (configuration,
/// training, serving, routing), then prune, in the plan's own step order (<see cref="Planner.StepOf"/>). A wave
/// starts only when the one before it finished, so a route never points at a Deployment that does not exist yet;
/// within a wave objects are independent and go in parallel.
/// An object the API server refuses (Forbidden, Invalid...) does not stop the plan: it is reported, the rest of its
/// model's actions (its routes, its prunes) are held back so that model keeps what it had, and every other model's
/// objects are applied. Applying the same plan twice is harmless: apply is by name and deleting a missing object is
/// not an error, which is what lets a replica finish a pass another one was killed in the middle of.
/// </summary>
public sealed class PlanExecutor(IClusterDriver cluster, int parallelism = 8)
{
    public async Task<ExecutionResult> ExecuteAsync(Plan plan, CancellationToken ct)
    {
        int applied = 0, pruned = 0, skipped = 0;
        var refused = new ConcurrentQueue<ObjectRefusal>();
        var heldBack = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var step in plan.Changes.GroupBy(Planner.StepOf).OrderBy(g => g.Key))
        {
            await Parallel.ForEachAsync(step, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
                async (action, token) =>
                {
                    // Read once: a plan may keep the object as text, and each read parses it.
                    var desired = action.Action == ActionKind.Delete ? null : action.Desired;
                    var model = ModelOf(desired, action);
                    if (model is not null && heldBack.ContainsKey(model))
                    {
                        Interlocked.Increment(ref skipped);
                        return;
                    }
                    try
                    {
                        if (action.Action == ActionKind.Delete)
                        {
                            await cluster.DeleteAsync(action.Key, token);
                            Interlocked.Increment(ref pruned);
                        }
                        else
                        {
                            await cluster.ApplyAsync(desired!, dryRun: false, token);
                            Interlocked.Increment(ref applied);
                        }
                    }
                    catch (KubernetesApiException e) when (e.IsRefusal)
                    {
                        refused.Enqueue(new ObjectRefusal(action.Key.ToString(), model, e.Message));
                        if (model is not null)
                        {
                            heldBack[model] = true;
                        }
                    }
                });
        }
        return new ExecutionResult(applied, pruned, [.. refused.OrderBy(r => r.Object, StringComparer.Ordinal)], skipped);
    }

    private static string? ModelOf(JsonObject? desired, PlanAction action) =>
        desired is not null ? ObjectKeys.Label(desired, ManagedLabels.Model)
        : action.Observed is { } observed ? ObjectKeys.Label(observed, ManagedLabels.Model)
        : null;
}
