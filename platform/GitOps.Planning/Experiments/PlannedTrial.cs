using System.Collections.Immutable;
using GitOps.Specs.Model;

namespace GitOps.Planning.Experiments;

/// <summary>
/// One trial of an experiment: its number (from 1), its name (<c>EXPERIMENT-tNN</c>), the values the search chose,
/// the model spec it trains (the model's hyperparameters with the chosen ones set) and that spec's version, which
/// names its training Job and its artifacts like any model version.
/// </summary>
public sealed record PlannedTrial(
    int Number,
    string Name,
    ImmutableSortedDictionary<string, string> Searched,
    ModelSpec Model,
    string Version)
{
    public ImmutableSortedDictionary<string, string> Hyperparameters => Model.Spec.Training.Hyperparameters;
}
