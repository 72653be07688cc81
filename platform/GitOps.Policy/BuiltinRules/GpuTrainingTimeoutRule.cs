using GitOps.Specs;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0402: a training run that uses GPUs (in any environment) must time out within 24 hours, so a stuck Job
/// cannot hold expensive GPUs for days.
/// </summary>
public sealed class GpuTrainingTimeoutRule : IBuiltinRule
{
    public static readonly TimeSpan Limit = TimeSpan.FromHours(24);

    public string Id => PolicyRuleIds.GpuTrainingTimeoutTooLong;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var model in specs.Models)
        {
            var training = model.Spec.Training;
            var usesGpus = training.Resources.Gpus > 0
                           || model.Spec.Overrides.Values.Any(o => o.TrainingResources is { Gpus: > 0 });
            // An unreadable duration is reported by the semantic checks.
            if (usesGpus && Durations.TryParse(training.Timeout, out var timeout) && timeout > Limit)
            {
                yield return new Diagnostic(Id, Severity.Error, model.Origin.Value("spec.training.timeout"),
                    $"model '{model.Name}' trains on GPUs with a timeout of {training.Timeout}, above the limit of 24h",
                    "set spec.training.timeout to 24h or less and checkpoint long runs");
            }
        }
    }
}
