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

    public ImmutableArray<string> Gates => Override?.Gates is { IsDefault: false } gates ? gates : Model.Spec.Gates;

    public string? Rollout => Override?.Rollout ?? Model.Spec.Rollout;

    /// <summary>Path of the field that decides <see cref="Rollout"/>.</summary>
    public string RolloutPath => Override?.Rollout is not null ? $"{OverridePath}.rollout" : "spec.rollout";

    /// <summary>Serving replicas here: <c>replicas</c>, else the autoscaler's minimum, else 1 (overrides first).</summary>
    public int Replicas =>
        Override?.Serving?.Replicas ?? Override?.Serving?.Autoscaling?.MinReplicas
        ?? Model.Spec.Serving.Replicas ?? Model.Spec.Serving.Autoscaling?.MinReplicas ?? 1;

    /// <summary>Path of the field that decides <see cref="Replicas"/> (or where it would be written).</summary>
    public string ReplicasPath =>
        Override?.Serving?.Replicas is not null ? $"{OverridePath}.serving.replicas"
        : Override?.Serving?.Autoscaling is not null ? $"{OverridePath}.serving.autoscaling.minReplicas"
        : Model.Spec.Serving.Replicas is not null ? "spec.serving.replicas"
        : Model.Spec.Serving.Autoscaling is not null ? "spec.serving.autoscaling.minReplicas"
        : $"spec.environments[{Index}]";

    /// <summary>Path of this environment's entry in <c>spec.overrides</c>.</summary>
    public string OverridePath => SpecPaths.Child("spec.overrides", Environment.Name);

    /// <summary>Training resources with the override's non-empty fields replacing the model's.</summary>
    public ResourceRequest TrainingResources
    {
        get
        {
            var baseline = Model.Spec.Training.Resources;
            if (Override?.TrainingResources is not { } o)
            {
                return baseline;
            }
            return new ResourceRequest
            {
                Cpu = o.Cpu ?? baseline.Cpu,
                Memory = o.Memory ?? baseline.Memory,
                Gpus = o.Gpus > 0 ? o.Gpus : baseline.Gpus,
                Pool = o.Pool ?? baseline.Pool,
            };
        }
    }

    /// <summary>Path of the field that decides the GPU count of <see cref="TrainingResources"/>.</summary>
    public string GpusPath => Override?.TrainingResources is { Gpus: > 0 }
        ? $"{OverridePath}.trainingResources.gpus"
        : "spec.training.resources.gpus";

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
