using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Planning.Security;

/// <summary>GITOPS0620: the rendered pods of a model that the environment's Pod Security Standard would refuse.</summary>
public static class PodSecurityFindings
{
    public static IEnumerable<Diagnostic> Of(IEnumerable<JsonObject> objects, EnvironmentSpec env, ModelSpec model)
    {
        foreach (var obj in objects)
        {
            foreach (var violation in PodSecurityAdmission.Check(obj, env.Spec.PodSecurity))
            {
                var kind = ObjectKeys.Text(obj["kind"]);
                yield return new Diagnostic(PlanningDiagnostics.PodSecurityViolation, Severity.Error,
                    model.Origin.Key(kind == "Job" ? "spec.training" : "spec.serving"),
                    $"{kind} {ObjectKeys.Text(obj["metadata"]?["name"])} of model '{model.Name}' would violate PodSecurity \"{env.Spec.PodSecurity}\" in environment '{env.Name}' ({violation.Check}): {violation.Detail}",
                    $"the namespace enforces podSecurity: {env.Spec.PodSecurity}; change what the pod asks for, or set spec.podSecurity to the level the namespace really enforces");
            }
        }
    }
}
