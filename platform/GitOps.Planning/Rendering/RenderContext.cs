using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Specs.Diagnostics;

namespace GitOps.Planning.Rendering;

/// <summary>Where the specs came from: the Git commit stamped on every object as an annotation.</summary>
public sealed record RenderContext(string Commit)
{
    public static readonly RenderContext Unknown = new("unknown");

    /// <summary>The part of the environment rendered: the objects of no model only for shard 1. The models are
    /// narrowed by the caller (<see cref="Shard.Select"/>).</summary>
    public Shard Shard { get; init; } = Shard.Whole;
}

/// <summary>
/// The desired objects of one environment (sorted by <see cref="Cluster.ResourceKey"/>), what was decided per
/// model, and any problem that kept a model from rendering.
/// </summary>
public sealed record RenderResult(
    string Environment,
    string Namespace,
    ImmutableArray<JsonObject> Objects,
    ImmutableArray<RenderedModel> Models,
    ImmutableArray<Diagnostic> Diagnostics,
    RenderStats Stats)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>How many models were rendered from scratch and how many were reused from the <see cref="RenderCache"/>.</summary>
public sealed record RenderStats(int Rendered, int Reused);

/// <summary>What the renderer decided for one model in one environment; the plan's ML summary is built from it.</summary>
/// <param name="DesiredVersion">The version the current commit defines (<see cref="ModelVersions.Compute"/>).</param>
/// <param name="StableVersion">The version served as stable after this render, or null when nothing is servable yet.</param>
/// <param name="CanaryVersion">The canary version rendered, or null.</param>
/// <param name="Training">The training Job rendered, or null when the desired version is already trained.</param>
public sealed record RenderedModel(
    string Model,
    string DesiredVersion,
    string? StableVersion,
    string? CanaryVersion,
    int CanaryWeight,
    TrainingPlan? Training,
    string? RolloutPolicy,
    ImmutableArray<string> Gates)
{
    /// <summary>Set when the desired version is trained but held back (rejected, or waiting for the registry).</summary>
    public HeldVersion? Held { get; init; }
}

/// <summary>A training Job the render asks for, with what it will cost at most.</summary>
/// <param name="GpuHours">GPUs × timeout in hours: the Job's <c>activeDeadlineSeconds</c> caps every attempt together.</param>
/// <param name="EstimatedCost">GPU-hours × the pool's price per GPU-hour; 0 without GPUs.</param>
public sealed record TrainingPlan(
    string JobName,
    string Version,
    int Gpus,
    string? Pool,
    string GpuResource,
    string Timeout,
    long TimeoutSeconds,
    int Retries,
    decimal GpuHours,
    decimal EstimatedCost);
