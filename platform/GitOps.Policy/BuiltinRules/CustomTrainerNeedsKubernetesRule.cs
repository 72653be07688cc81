using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0406: a custom training image runs only as a Kubernetes Job; a local environment runs the builtin trainer
/// as a process and cannot run images.
/// </summary>
public sealed class CustomTrainerNeedsKubernetesRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.CustomTrainerOnLocalCluster;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var served in ServedModel.All(specs))
        {
            if (served.Model.Spec.Training.Image is { } image && served.Environment.Spec.Cluster.Local is not null)
            {
                yield return new Diagnostic(Id, Severity.Error, served.Model.Origin.Value("spec.training.image"),
                    $"model '{served.Model.Name}' trains with the custom image '{image}', but environment '{served.Environment.Name}' is a local cluster, which runs only the builtin trainer",
                    "serve this model only in Kubernetes environments, or switch to spec.training.builtin");
            }
        }
    }
}
