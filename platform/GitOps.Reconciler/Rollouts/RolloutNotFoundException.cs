namespace GitOps.Reconciler.Rollouts;

/// <summary>No rollout is stored for the model in the environment (it was never deployed there by the reconciler).</summary>
public sealed class RolloutNotFoundException(string environment, string model)
    : Exception($"model {model} has no rollout in environment {environment}: the reconciler has not deployed it there yet")
{
    public string Environment { get; } = environment;

    public string Model { get; } = model;
}
