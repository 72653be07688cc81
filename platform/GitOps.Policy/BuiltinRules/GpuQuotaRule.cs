using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0405: a training run may not request more GPUs than the quota of the pool it uses in an environment where
/// the model is served (a quota of 0 means the pool has no per-workload limit). Such a Job would never schedule.
/// </summary>
public sealed class GpuQuotaRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.GpuQuotaExceeded;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var served in ServedModel.All(specs))
        {
            var resources = served.TrainingResources;
            if (resources.Gpus <= 0 || resources.Pool is null)
            {
                continue;
            }
            var pool = served.Environment.Spec.GpuPools.FirstOrDefault(p => p.Name == resources.Pool);
            if (pool is null || pool.Quota <= 0 || resources.Gpus <= pool.Quota)
            {
                continue;
            }
            yield return new Diagnostic(Id, Severity.Error, served.Model.Origin.Value(served.GpusPath),
                $"model '{served.Model.Name}' requests {resources.Gpus} GPUs from pool '{pool.Name}' in environment '{served.Environment.Name}', whose quota is {pool.Quota}",
                $"request at most {pool.Quota} GPUs, or use another pool there with spec.overrides.{served.Environment.Name}.trainingResources");
        }
    }
}
