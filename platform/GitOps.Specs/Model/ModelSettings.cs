using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary>A model's settings in one environment, with that environment's override applied.</summary>
public sealed record EffectiveModelSettings(
    string Environment,
    ServingSpec Serving,
    string? Rollout,
    ImmutableArray<string> Gates,
    ResourceRequest TrainingResources,
    bool Overridden);

/// <summary>
/// How <c>overrides.&lt;env&gt;</c> applies: <c>serving</c> merges field by field (<c>replicas</c> and
/// <c>autoscaling</c> count as one field: setting either replaces both; <c>resources</c>, <c>batching</c> and <c>cache</c> replace
/// as a whole); <c>rollout</c>, <c>gates</c> and <c>trainingResources</c> replace the model's.
/// </summary>
public static class ModelSettings
{
    public static EffectiveModelSettings For(ModelSpec model, string environment)
    {
        var body = model.Spec;
        if (!body.Overrides.TryGetValue(environment, out var o))
        {
            return new EffectiveModelSettings(environment, body.Serving, body.Rollout, body.Gates, body.Training.Resources, false);
        }
        return new EffectiveModelSettings(
            environment,
            Merge(body.Serving, o.Serving),
            o.Rollout ?? body.Rollout,
            o.Gates ?? body.Gates,
            o.TrainingResources ?? body.Training.Resources,
            true);
    }

    public static ServingSpec Merge(ServingSpec model, ServingSpec? over)
    {
        if (over is null)
        {
            return model;
        }
        var scale = over.Replicas is not null || over.Autoscaling is not null;
        return new ServingSpec
        {
            Replicas = scale ? over.Replicas : model.Replicas,
            Autoscaling = scale ? over.Autoscaling : model.Autoscaling,
            Resources = over.Resources ?? model.Resources,
            Batching = over.Batching ?? model.Batching,
            Cache = over.Cache ?? model.Cache,
            MinAvailable = over.MinAvailable ?? model.MinAvailable,
        };
    }
}
