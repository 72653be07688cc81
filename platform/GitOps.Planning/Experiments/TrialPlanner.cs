using System.Collections.Immutable;
using System.Globalization;
using GitOps.Planning.Rendering;
using GitOps.Specs.Model;
using GitOps.Specs.Randomness;

namespace GitOps.Planning.Experiments;

/// <summary>
/// Turns an experiment's search space into its trials, deterministically. Grid: every combination of the
/// parameters' values, the last parameter changing fastest, the first <c>maxTrials</c>. Random: <c>maxTrials</c>
/// draws from <see cref="SplitMix64"/> seeded with <c>search.seed</c> (a list picks one value uniformly; a range
/// draws uniformly, or log-uniformly with <c>scale: log</c>; a linear range with whole-number bounds draws whole
/// numbers); a draw equal to an earlier one is skipped, so a small discrete space yields fewer trials, never repeats.
/// </summary>
public static class TrialPlanner
{
    private const int DrawsPerTrial = 20;

    public static ImmutableArray<PlannedTrial> Plan(ExperimentSpec experiment, ModelSpec model, EnvironmentSpec environment)
    {
        var search = experiment.Spec.Search;
        var choices = search.Method == "grid" ? Grid(search.Parameters) : Random(search, experiment.Spec.MaxTrials);
        return [.. choices.Take(experiment.Spec.MaxTrials).Select((searched, i) =>
        {
            var trialModel = model with
            {
                Spec = model.Spec with
                {
                    Training = model.Spec.Training with { Hyperparameters = model.Spec.Training.Hyperparameters.SetItems(searched) },
                },
            };
            return new PlannedTrial(i + 1, TrialName(experiment.Name, i + 1), searched, trialModel, ModelVersions.Compute(trialModel, environment));
        })];
    }

    public static string TrialName(string experiment, int number) => $"{experiment}-t{number.ToString("00", CultureInfo.InvariantCulture)}";

    private static IEnumerable<ImmutableSortedDictionary<string, string>> Grid(ImmutableArray<SearchParameter> parameters)
    {
        IEnumerable<ImmutableSortedDictionary<string, string>> combinations = [ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal)];
        foreach (var parameter in parameters)
        {
            var current = parameter;
            combinations = combinations.SelectMany(c => current.Values.Select(v => c.SetItem(current.Name, v)));
        }
        return combinations;
    }

    private static IEnumerable<ImmutableSortedDictionary<string, string>> Random(SearchSpace search, int maxTrials)
    {
        var random = new SplitMix64((ulong)search.Seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var draw = 0; draw < maxTrials * DrawsPerTrial && seen.Count < maxTrials; draw++)
        {
            var choice = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                search.Parameters.Select(p => KeyValuePair.Create(p.Name, Draw(p, random))));
            if (seen.Add(string.Join('\n', choice.Select(c => $"{c.Key}={c.Value}"))))
            {
                yield return choice;
            }
        }
    }

    private static string Draw(SearchParameter parameter, SplitMix64 random)
    {
        if (!parameter.Values.IsEmpty)
        {
            return parameter.Values[random.Next(parameter.Values.Length)];
        }
        double min = parameter.Min!.Value, max = parameter.Max!.Value;
        if (parameter.Scale == "log")
        {
            return Format(Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min))));
        }
        if (min == Math.Floor(min) && max == Math.Floor(max))
        {
            return ((long)min + (long)(random.NextDouble() * (max - min + 1))).ToString(CultureInfo.InvariantCulture);
        }
        return Format(min + random.NextDouble() * (max - min));
    }

    /// <summary>Four significant digits: enough to tell trials apart, short enough to read in a spec.</summary>
    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
