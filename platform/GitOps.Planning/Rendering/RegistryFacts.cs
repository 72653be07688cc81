using System.Collections.Immutable;
using System.Text.Json.Serialization;
using GitOps.Planning.Retraining;
using GitOps.Rollouts.Rollout;

namespace GitOps.Planning.Rendering;

/// <summary>
/// What the model registry knows that Git does not: which versions have a trained artifact, which version each
/// environment serves as stable (the champion), and any rollout in progress. Rendering reads these facts; it never
/// fetches them. Unknown models have no facts (<see cref="ModelFacts.None"/>).
/// </summary>
public sealed record RegistryFacts(ImmutableSortedDictionary<string, ModelFacts> Models)
{
    public static readonly RegistryFacts Empty = new(ImmutableSortedDictionary<string, ModelFacts>.Empty);

    /// <summary>Each model's last recorded retrain generation in this environment (docs/retraining.md); derived
    /// facts kept with the others, never in Git.</summary>
    public ImmutableSortedDictionary<string, RetrainGeneration> Retrains { get; init; } =
        ImmutableSortedDictionary<string, RetrainGeneration>.Empty;

    /// <summary>Records <paramref name="generation"/> as the last retrain of <paramref name="model"/>.</summary>
    public RegistryFacts WithRetrain(string model, RetrainGeneration generation) =>
        this with { Retrains = Retrains.SetItem(model, generation) };

    /// <summary>The facts of <paramref name="model"/>, or <see cref="ModelFacts.None"/>.</summary>
    public ModelFacts For(string model) => Models.TryGetValue(model, out var facts) ? facts : ModelFacts.None;

    /// <summary>Records that <paramref name="version"/> of <paramref name="model"/> has a trained artifact.</summary>
    public RegistryFacts WithTrained(string model, string version)
    {
        var facts = For(model);
        return this with { Models = Models.SetItem(model, facts with { TrainedVersions = facts.TrainedVersions.Add(version) }) };
    }

    /// <summary>Records what <paramref name="environment"/> serves for <paramref name="model"/>.</summary>
    public RegistryFacts WithDeployment(string model, string environment, DeploymentFacts deployment)
    {
        var facts = For(model);
        return this with { Models = Models.SetItem(model, facts with { Environments = facts.Environments.SetItem(environment, deployment) }) };
    }

    /// <summary>Records that <paramref name="version"/> of <paramref name="model"/> is trained but held back.</summary>
    public RegistryFacts WithHeld(string model, string version, HeldVersion held)
    {
        var facts = For(model);
        return this with { Models = Models.SetItem(model, facts with { Held = facts.Held.SetItem(version, held) }) };
    }

    /// <summary>Combines two fact sets; where both know a model's environment, <paramref name="other"/> wins.</summary>
    public RegistryFacts Merge(RegistryFacts other)
    {
        var result = Models;
        foreach (var (name, theirs) in other.Models)
        {
            var mine = For(name);
            result = result.SetItem(name, new ModelFacts(
                mine.TrainedVersions.Union(theirs.TrainedVersions),
                mine.Environments.SetItems(theirs.Environments)));
        }
        return this with { Models = result, Retrains = Retrains.SetItems(other.Retrains) };
    }
}

/// <summary>Registry facts of one model.</summary>
/// <param name="TrainedVersions">Model versions with a trained artifact in the artifact store.</param>
/// <param name="Environments">What each environment serves, by environment name.</param>
public sealed record ModelFacts(
    ImmutableSortedSet<string> TrainedVersions,
    ImmutableSortedDictionary<string, DeploymentFacts> Environments)
{
    public static readonly ModelFacts None = new(
        ImmutableSortedSet.Create<string>(StringComparer.Ordinal),
        ImmutableSortedDictionary<string, DeploymentFacts>.Empty);

    public bool IsTrained(string version) => TrainedVersions.Contains(version);

    /// <summary>Trained versions that must not be served (yet): rejected by their gates, or waiting for the
    /// registry. Rendering neither trains nor serves them.</summary>
    public ImmutableSortedDictionary<string, HeldVersion> Held { get; init; } = ImmutableSortedDictionary<string, HeldVersion>.Empty;

    /// <summary>Why <paramref name="version"/> is held back, or null when it may be served once trained.</summary>
    public HeldVersion? HeldBack(string version) => Held.TryGetValue(version, out var held) ? held : null;

    public DeploymentFacts In(string environment) =>
        Environments.TryGetValue(environment, out var d) ? d : DeploymentFacts.None;
}

/// <summary>Why a trained version is not served: <see cref="Rejected"/> (its gates failed, its artifact changed;
/// terminal until its inputs change) or <see cref="Waiting"/> (the registry cannot be read or written yet).</summary>
public sealed record HeldVersion(string State, string Reason)
{
    /// <summary>When a waiting version is expected to become ready (a promotion's soak ends): the reconciler looks
    /// again then instead of after its interval.</summary>
    public DateTimeOffset? ReadyAt { get; init; }

    public const string Rejected = "rejected";
    public const string Waiting = "waiting";
}

/// <summary>What one environment serves for one model.</summary>
/// <param name="StableVersion">The champion serving production traffic, or null before the first rollout.</param>
/// <param name="Canary">The rollout in progress, if any, as the cluster's objects show it.</param>
/// <param name="Rollout">The rollout's persisted state after this pass's step of the rollout machine (the reconciler
/// sets it); when set, the renderer draws exactly it and ignores <paramref name="StableVersion"/> and
/// <paramref name="Canary"/>. Not part of the facts' JSON: the render cache keys on it separately.</param>
public sealed record DeploymentFacts(string? StableVersion, CanaryFacts? Canary,
    [property: JsonIgnore] RolloutState? Rollout = null)
{
    public static readonly DeploymentFacts None = new(null, null);
}

/// <summary>A rollout in progress: the candidate version and the share of traffic (0–100) it currently receives.</summary>
public sealed record CanaryFacts(string Version, int Weight);
