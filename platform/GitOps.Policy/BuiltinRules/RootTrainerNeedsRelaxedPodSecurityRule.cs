using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0408: a custom trainer that must run as root cannot start in a namespace that enforces the restricted Pod
/// Security Standard; the Job would sit with FailedCreate events instead of training.
/// </summary>
public sealed class RootTrainerNeedsRelaxedPodSecurityRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.RootTrainerInRestrictedEnvironment;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var served in ServedModel.All(specs))
        {
            var training = served.Model.Spec.Training;
            if (training.Image is not null && training.SecurityContext is { RunAsRoot: true }
                && served.Environment.Spec.PodSecurity == PodSecurityLevels.Restricted)
            {
                yield return new Diagnostic(Id, Severity.Error, served.Model.Origin.Value("spec.training.securityContext.runAsRoot"),
                    $"model '{served.Model.Name}' trains with an image that runs as root, but environment '{served.Environment.Name}' enforces the restricted Pod Security Standard, which refuses root containers",
                    $"build the image to run as a non-root user (e.g. USER 65532) and remove runAsRoot, or set podSecurity: baseline in environment '{served.Environment.Name}' if its namespace allows it");
            }
        }
    }
}
