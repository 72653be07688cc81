using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;

namespace GitOps.Reconciler.Loop;

/// <summary>What <see cref="PlanExecutor"/> did.</summary>
public sealed record ExecutionResult(int Applied, int Pruned);

/// <summary>
/// Carries out a plan against a cluster: server-side apply of creates and updates wave by wave (configuration,
/// training, serving, routing), then prune. A wave starts only when the one before it finished, so a route never
/// points at a Deployment that does not exist yet; within a wave objects are independent and go in parallel.
/// Applying the same plan twice is harmless: apply is by name and deleting a missing object is not an error, which
/// is what lets a replica finish a pass another one was killed in the middle of.
/// </summary>
public sealed class PlanExecutor(IClusterDriver cluster, int parallelism = 8)
{
    public async Task<ExecutionResult> ExecuteAsync(Plan plan, CancellationToken ct)
    {
        int applied = 0, pruned = 0;
        // Deletes keep the planner's order across kinds (routes before the Deployments they point at).
        var steps = plan.Changes
            .GroupBy(a => (a.Wave, Order: a.Action == ActionKind.Delete ? -(int)Planner.WaveOf(a.Key.Kind) : 0))
            .OrderBy(g => g.Key.Wave).ThenBy(g => g.Key.Order);
        foreach (var step in steps)
        {
            await Parallel.ForEachAsync(step, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
                async (action, token) =>
                {
                    if (action.Action == ActionKind.Delete)
                    {
                        await cluster.DeleteAsync(action.Key, token);
                        Interlocked.Increment(ref pruned);
                    }
                    else
                    {
                        await cluster.ApplyAsync(action.Desired!, dryRun: false, token);
                        Interlocked.Increment(ref applied);
                    }
                });
        }
        return new ExecutionResult(applied, pruned);
    }
}
