using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary><c>kind: Experiment</c> — a hyperparameter search over a model's training.</summary>
public sealed record ExperimentSpec(Metadata Metadata, SpecOrigin Origin, ExperimentBody Spec) : SpecObject(Metadata, Origin)
{
    public override string Kind => SpecKinds.Experiment;
}

public sealed record ExperimentBody
{
    public required string Model { get; init; }
    public required SearchSpace Search { get; init; }
    public required Objective Objective { get; init; }
    public int MaxTrials { get; init; } = 10;
    public int Parallelism { get; init; } = 1;
    public EarlyStopping? EarlyStopping { get; init; }
    /// <summary><c>best</c> registers the best trial as a candidate; <c>none</c> only records results.</summary>
    public string Promote { get; init; } = "none";
}

/// <summary><c>grid</c> or <c>random</c> over named parameters; <see cref="Seed"/> makes a random search repeatable.</summary>
public sealed record SearchSpace(string Method, ImmutableArray<SearchParameter> Parameters, int Seed = 0);

/// <summary>Either a list of <see cref="Values"/> or a numeric range <see cref="Min"/>..<see cref="Max"/>.</summary>
public sealed record SearchParameter(string Name, ImmutableArray<string> Values, double? Min, double? Max, string Scale);

/// <summary>The metric to optimise, <c>maximize</c> or <c>minimize</c>.</summary>
public sealed record Objective(string Metric, string Direction);

/// <summary>
/// The median stopping rule: a running trial whose best objective at step <c>s</c> (from <see cref="StartStep"/> on)
/// is worse than the median of the completed trials' running averages up to <c>s</c> is stopped, once at least
/// <see cref="MinTrials"/> trials have completed.
/// </summary>
public sealed record EarlyStopping(string Rule, int MinTrials, int StartStep);
