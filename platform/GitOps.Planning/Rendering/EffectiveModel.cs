using System.Collections.Immutable;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// A model's settings in one environment after merging, lowest precedence first:
/// product defaults → the model's <c>spec</c> → <c>spec.overrides[environment]</c>.
/// Scalars (<c>replicas</c>, <c>minAvailable</c>, <c>rollout</c>) are replaced when the override sets them;
/// records (<c>autoscaling</c>, <c>batching</c>, <c>cache</c>, <c>serving.resources</c>, <c>trainingResources</c>) and lists
/// (<c>gates</c>) are replaced as a whole, never merged element by element, so an override reads exactly as it applies.
/// </summary>
public sealed record EffectiveModel(
    int Replicas,
    Autoscaling? Autoscaling,
    ResourceRequest ServingResources,
    Batching? Batching,
    int? MinAvailable,
    string? Rollout,
    ImmutableArray<string> Gates,
    ResourceRequest TrainingResources)
{
    /// <summary>The response cache in this environment; null when there is none or the override turns it off.</summary>
    public ServingCache? Cache { get; init; }

    public const int DefaultReplicas = 1;

    public static EffectiveModel Of(ModelSpec model, string environment)
    {
        var spec = model.Spec;
        var o = spec.Overrides.TryGetValue(environment, out var found) ? found : null;
        var serving = spec.Serving;
        var over = o?.Serving;
        return new EffectiveModel(
            Replicas: over?.Replicas ?? serving.Replicas ?? DefaultReplicas,
            Autoscaling: over?.Autoscaling ?? serving.Autoscaling,
            ServingResources: over?.Resources ?? serving.Resources ?? new ResourceRequest(),
            Batching: over?.Batching ?? serving.Batching,
            MinAvailable: over?.MinAvailable ?? serving.MinAvailable,
            Rollout: o?.Rollout ?? spec.Rollout,
            Gates: o?.Gates ?? spec.Gates,
            TrainingResources: o?.TrainingResources ?? spec.Training.Resources)
        {
            Cache = (over?.Cache ?? serving.Cache) is { } cache && cache.Store != CacheStores.Off ? cache : null,
        };
    }
}
