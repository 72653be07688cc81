using System.Collections.Immutable;

namespace GitOps.Planning.Plans;

/// <summary>The plan of one environment told the way an ML engineer thinks about it.</summary>
public sealed record MlSummary(
    ImmutableArray<ModelChange> Models,
    ImmutableArray<TrainingStart> Training,
    ImmutableArray<RolloutStart> Rollouts,
    ImmutableArray<GateCheck> Gates,
    ImmutableArray<string> Warnings)
{
    public static readonly MlSummary Empty = new([], [], [], [], []);

    public decimal GpuHours => Training.Sum(t => t.GpuHours);

    public decimal EstimatedCost => Training.Sum(t => t.EstimatedCost);
}

/// <summary>How a model's version moves in an environment. <see cref="Change"/> is <c>new</c>, <c>changed</c>,
/// <c>unchanged</c> or <c>removed</c>; <see cref="From"/> is the version served now (null when none).</summary>
public sealed record ModelChange(string Model, string? From, string? To, string Change, string Detail);

/// <summary>A training Job the plan creates.</summary>
public sealed record TrainingStart(
    string Model, string Version, string Job, int Gpus, string? Pool, string GpuResource, string Timeout,
    long TimeoutSeconds, int Retries, decimal GpuHours, decimal EstimatedCost);

/// <summary>A rollout that would start once the new version is trained (or is in progress).</summary>
public sealed record RolloutStart(string Model, string From, string To, string Strategy, string? Policy,
    ImmutableArray<string> Steps, string State);

/// <summary>Quality gates a new version must pass against the champion, with their conditions.</summary>
public sealed record GateCheck(string Model, string Version, string Gate, ImmutableArray<string> Rules);
