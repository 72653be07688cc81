using System.Collections.Immutable;
using System.Globalization;

namespace GitOps.Planning.Experiments;

/// <summary>Whether to stop a trial, and the values that decided it.</summary>
public sealed record StopVerdict(bool Stop, string Reason);

/// <summary>
/// The median stopping rule (Golovin et al., "Google Vizier", 2017): a running trial is stopped at step <c>s</c> when
/// its best objective value up to <c>s</c> is strictly worse than the median of the running averages, up to
/// <c>s</c>, of the completed trials' objective values. It applies from <c>startStep</c> on, once at least
/// <c>minTrials</c> completed trials reported at or before <c>s</c>.
/// </summary>
public static class MedianStoppingRule
{
    public static StopVerdict Evaluate(
        ImmutableArray<TrialReport> running,
        IReadOnlyList<ImmutableArray<TrialReport>> completed,
        string direction,
        int minTrials,
        int startStep)
    {
        if (running.IsEmpty)
        {
            return new(false, "no value reported yet");
        }
        var step = running.Max(r => r.Step);
        if (step < startStep)
        {
            return new(false, $"step {step} is before startStep {startStep}");
        }
        var averages = completed
            .Select(reports => reports.Where(r => r.Step <= step).Select(r => r.Value).ToList())
            .Where(values => values.Count > 0)
            .Select(values => values.Average())
            .Order()
            .ToList();
        if (averages.Count < minTrials)
        {
            return new(false, $"{averages.Count} completed trial(s) reported by step {step}, {minTrials} needed");
        }
        var median = averages.Count % 2 == 1
            ? averages[averages.Count / 2]
            : (averages[averages.Count / 2 - 1] + averages[averages.Count / 2]) / 2;
        var maximize = direction == "maximize";
        var values = running.Where(r => r.Step <= step).Select(r => r.Value).ToList();
        var best = maximize ? values.Max() : values.Min();
        var worse = maximize ? best < median : best > median;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"best {best:G4} by step {step} is {(worse ? "worse than" : "not worse than")} the median {median:G4} of {averages.Count} completed trial(s)");
        return new(worse, text);
    }
}
