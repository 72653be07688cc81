using GitOps.Rollouts.Rollout;
using GitOps.Specs.Model;

namespace GitOps.Reconciler.Rollouts;

/// <summary>Which rollout policy the specs give a model in an environment, for those who show a rollout's steps.</summary>
public static class RolloutPolicies
{
    /// <summary>The model's rollout policy in <paramref name="environment"/>, or null when it has none (direct) or the
    /// specs do not define the model.</summary>
    public static RolloutPolicy? Of(SpecSet specs, string model, string environment) =>
        specs.Model(model) is { } spec && ModelSettings.For(spec, environment).Rollout is { } name
            && specs.RolloutPolicy(name) is { } policy
            ? RolloutPolicy.From(policy, spec)
            : null;
}
