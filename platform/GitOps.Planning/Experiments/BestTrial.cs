using System.Collections.Immutable;
using System.Globalization;
using GitOps.Specs.Model;

namespace GitOps.Planning.Experiments;

/// <summary>The best trial of an experiment, and why the others were not it.</summary>
/// <param name="Best">The winner, or null when no trial succeeded with the objective's metric.</param>
/// <param name="Value">The winner's objective value.</param>
/// <param name="Ranking">Every succeeded trial with the metric, best first.</param>
/// <param name="Excluded">Trials that cannot be ranked, with the reason.</param>
public sealed record TrialSelection(
    PlannedTrial? Best,
    double? Value,
    ImmutableArray<(PlannedTrial Trial, double Value)> Ranking,
    ImmutableArray<(PlannedTrial Trial, string Reason)> Excluded);

/// <summary>
/// Picks the best trial by the objective: the highest (<c>maximize</c>) or lowest (<c>minimize</c>) value of the
/// objective metric among succeeded trials; on a tie, the earlier trial wins, so the choice never depends on the
/// order results arrived in.
/// </summary>
public static class BestTrial
{
    public static TrialSelection Select(ImmutableArray<PlannedTrial> trials, IReadOnlyDictionary<string, TrialState> states, Objective objective)
    {
        var ranked = new List<(PlannedTrial, double)>();
        var excluded = ImmutableArray.CreateBuilder<(PlannedTrial, string)>();
        foreach (var trial in trials)
        {
            var state = states.TryGetValue(trial.Name, out var s) ? s : TrialState.Pending;
            if (state.Phase != TrialPhase.Succeeded)
            {
                excluded.Add((trial, state.Phase.ToString().ToLowerInvariant()));
            }
            else if (!state.Metrics.TryGetValue(objective.Metric, out var value))
            {
                excluded.Add((trial, $"metrics.json has no '{objective.Metric}' (it has {string.Join(", ", state.Metrics.Keys)})"));
            }
            else
            {
                ranked.Add((trial, value));
            }
        }
        var sign = objective.Direction == "minimize" ? 1 : -1;
        var ranking = ranked.OrderBy(r => sign * r.Item2).ThenBy(r => r.Item1.Number).ToImmutableArray();
        return ranking.IsEmpty
            ? new TrialSelection(null, null, ranking, excluded.ToImmutable())
            : new TrialSelection(ranking[0].Item1, ranking[0].Item2, ranking, excluded.ToImmutable());
    }

    /// <summary>A value as tables and reasons print it.</summary>
    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
