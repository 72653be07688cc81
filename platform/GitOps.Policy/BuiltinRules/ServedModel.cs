using System.Collections.Immutable;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// A model as served in one environment: the override of that environment applied. <see cref="Index"/> is the
/// position of the environment in <c>spec.environments</c>.
/// </summary>
public sealed record ServedModel(ModelSpec Model, EnvironmentSpec Environment, int Index)
{
    private ModelOverride? Override => Model.Spec.Overrides.GetValueOrDefault(Environment.Name);

    /// <summary>The model's settings here, as <see cref="ModelSettings"/> merges them.</summary>
    public EffectiveModelSettings Settings => ModelSettings.For(Model, Environment.Name);

    public ImmutableArray<string> Gates => Settings.Gates;

    public string? Rollout => Settings.Rollout;

    /// <summary>Path of the field that decides <see cref="Rollout"/>.</summary>
    public string RolloutPath => Override?.Rollout is not null ? $"{OverridePath}.rollout" : "spec.rollout";

    /// <summary>Serving replicas here: <c>replicas</c>, else the autoscaler's minimum, else 1.</summary>
    public int Replicas => Settings.Serving.Replicas ?? Settings.Serving.Autoscaling?.MinReplicas ?? 1;

    /// <summary>Path of the field that decides <see cref="Replicas"/> (or where it would be written).</summary>
    public string ReplicasPath =>
        Override?.Serving?.Replicas is not null ? $"{OverridePath}.serving.replicas"
        : Override?.Serving?.Autoscaling is not null ? $"{OverridePath}.serving.autoscaling.minReplicas"
        : Model.Spec.Serving.Replicas is not null ? "spec.serving.replicas"
        : Model.Spec.Serving.Autoscaling is not null ? "spec.serving.autoscaling.minReplicas"
        : $"spec.environments[{Index}]";

    /// <summary>Path of this environment's entry in <c>spec.overrides</c>.</summary>
    public string OverridePath => SpecPaths.Child("spec.overrides", Environment.Name);

    /// <summary>Training resources here (an override's <c>trainingResources</c> replaces the model's).</summary>
    public ResourceRequest TrainingResources => Settings.TrainingResources;

    /// <summary>Every (model, environment) pair where the environment exists, in a deterministic order.</summary>
    public static IEnumerable<ServedModel> All(SpecSet specs)
    {
        foreach (var model in specs.Models)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < model.Spec.Environments.Length; i++)
            {
                var name = model.Spec.Environments[i];
                if (seen.Add(name) && specs.Environment(name) is { } environment)
                {
                    yield return new ServedModel(model, environment, i);
                }
            }
        }
    }
}
