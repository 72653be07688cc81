using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Rollouts.Rollout;

public enum RolloutStrategy
{
    Canary,
    BlueGreen,
    Direct,
}

/// <summary>What an Inconclusive analysis verdict does.</summary>
public enum InconclusiveAction
{
    /// <summary>Wait for a human: <c>gitops rollout promote</c> continues, <c>abort</c> rolls back.</summary>
    Pause,
    Abort,
    Promote,
}

/// <summary>One step of a canary, parsed. Exactly one of the members is set.</summary>
public sealed record CanaryStep
{
    public int? SetWeight { get; init; }
    /// <summary>A timed pause; with <see cref="PauseUntilPromoted"/> it waits for <c>promote</c>.</summary>
    public TimeSpan? Pause { get; init; }
    public bool PauseUntilPromoted { get; init; }
    public ImmutableArray<string>? Analysis { get; init; }
    public HeaderRoute? SetHeaderRoute { get; init; }
    public int? Mirror { get; init; }

    public override string ToString() =>
        SetWeight is { } w ? $"setWeight {w}"
        : Pause is { } p ? $"pause {Durations.Format(p)}"
        : PauseUntilPromoted ? "pause until promoted"
        : Analysis is { } a ? $"analysis {string.Join(", ", a)}"
        : SetHeaderRoute is { } h ? $"setHeaderRoute {h.Header}: {h.Value}"
        : Mirror is { } m ? $"mirror {m}%"
        : "empty step";
}

/// <summary>A <c>RolloutPolicy</c> with defaults applied and durations parsed: the input of <see cref="RolloutMachine"/>.</summary>
public sealed record RolloutPolicy
{
    public static readonly TimeSpan DefaultProgressDeadline = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultScaleDownDelay = TimeSpan.FromSeconds(30);

    public string Name { get; init; } = "";
    public RolloutStrategy Strategy { get; init; } = RolloutStrategy.Canary;
    public ImmutableArray<CanaryStep> Steps { get; init; } = [];
    public ImmutableDictionary<string, AnalysisMetric> Metrics { get; init; } = ImmutableDictionary<string, AnalysisMetric>.Empty;
    public ImmutableArray<string> BackgroundAnalysis { get; init; } = [];
    public int BackgroundStartingStep { get; init; }
    public InconclusiveAction OnInconclusive { get; init; } = InconclusiveAction.Pause;
    public bool AutomaticRollback { get; init; } = true;
    public TimeSpan ProgressDeadline { get; init; } = DefaultProgressDeadline;
    public TimeSpan ScaleDownDelay { get; init; } = DefaultScaleDownDelay;

    /// <summary>Models without a rollout policy switch versions at once.</summary>
    public static readonly RolloutPolicy Direct = new() { Name = "direct", Strategy = RolloutStrategy.Direct };

    /// <summary>The highest <c>setWeight</c> of the steps up to and including <paramref name="stepIndex"/>.</summary>
    public int WeightAt(int stepIndex)
    {
        var weight = 0;
        for (var i = 0; i <= stepIndex && i < Steps.Length; i++)
        {
            weight = Math.Max(weight, Steps[i].SetWeight ?? 0);
        }
        return weight;
    }

    /// <summary>From a validated spec; values validation rejects fall back to their defaults. Templates that name a
    /// business KPI measure the KPI of <paramref name="model"/>, the model the policy rolls out.</summary>
    public static RolloutPolicy From(RolloutPolicySpec spec, ModelSpec? model = null)
    {
        var s = spec.Spec;
        return new RolloutPolicy
        {
            Name = spec.Name,
            Strategy = s.Strategy switch
            {
                RolloutStrategies.BlueGreen => RolloutStrategy.BlueGreen,
                RolloutStrategies.Direct => RolloutStrategy.Direct,
                _ => RolloutStrategy.Canary,
            },
            Steps = [.. s.Steps.Select(step => new CanaryStep
            {
                SetWeight = step.SetWeight is { } w ? Math.Clamp(w, 0, 100) : null,
                Pause = step.Pause is { } p && Durations.TryParse(p, out var d) ? d : null,
                PauseUntilPromoted = step.PauseUntilPromoted,
                Analysis = step.Analysis,
                SetHeaderRoute = step.SetHeaderRoute,
                Mirror = step.Mirror is { } m ? Math.Clamp(m, 0, 100) : null,
            })],
            Metrics = s.Analysis.GroupBy(a => a.Name, StringComparer.Ordinal)
                .ToImmutableDictionary(g => g.Key, g => AnalysisMetric.From(g.First(), model?.Spec.Monitoring), StringComparer.Ordinal),
            BackgroundAnalysis = s.BackgroundAnalysis?.Templates ?? [],
            BackgroundStartingStep = Math.Max(0, s.BackgroundAnalysis?.StartingStep ?? 0),
            OnInconclusive = s.OnInconclusive switch
            {
                "abort" => InconclusiveAction.Abort,
                "promote" => InconclusiveAction.Promote,
                _ => InconclusiveAction.Pause,
            },
            AutomaticRollback = s.AutomaticRollback,
            ProgressDeadline = Durations.TryParse(s.ProgressDeadline, out var deadline) && deadline > TimeSpan.Zero ? deadline : DefaultProgressDeadline,
            ScaleDownDelay = Durations.TryParse(s.ScaleDownDelay, out var delay) ? delay : DefaultScaleDownDelay,
        };
    }
}
