using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;

namespace GitOps.Rollouts.Rollout;

/// <summary>The answer to a <see cref="MeasureRequest"/>: which run and metric, when it was taken, and what the query said.</summary>
public sealed record RunObservation(string RunId, string Metric, DateTimeOffset At, Observation Observation);

/// <summary>
/// What the world says this pass: the version Git wants (null while it is not trained yet), whether the new
/// version's pods are ready at the size the current step asks for, the operators' commands given since the last
/// pass, and answers to the measurements requested by the previous pass.
/// </summary>
public sealed record RolloutInput
{
    public string? DesiredVersion { get; init; }
    public bool CanaryReady { get; init; }
    /// <summary>Whether the stable Deployment runs the stable version with all its pods ready (after a blueGreen
    /// switch, traffic returns to it only then).</summary>
    public bool StableReady { get; init; }
    /// <summary>Commands given since the last pass, in any order: <see cref="RolloutCommands.Arrange"/> decides which
    /// apply and in what order.</summary>
    public ImmutableArray<RolloutCommand> Commands { get; init; } = [];
    public ImmutableArray<RunObservation> Observations { get; init; } = [];
}
