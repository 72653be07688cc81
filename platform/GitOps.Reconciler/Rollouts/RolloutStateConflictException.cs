namespace GitOps.Reconciler.Rollouts;

/// <summary>A rollout save was based on a stale read (another writer saved since): read again, then decide again.</summary>
public sealed class RolloutStateConflictException(string environment, string model, string detail)
    : Exception($"the rollout state of model {model} in environment {environment} changed since it was read ({detail}); read it again")
{
    public string Environment { get; } = environment;

    public string Model { get; } = model;
}
