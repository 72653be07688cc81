using System.Collections.Immutable;
using System.Text;
using GitOps.Specs.Model;

namespace GitOps.Planning.Experiments;

/// <summary>One hyperparameter that differs between the model's spec and a trial: null means absent.</summary>
public sealed record HyperparameterDifference(string Name, string? Current, string? Proposed);

/// <summary>
/// The exact edit of the model's <c>spec.training.hyperparameters</c> that makes a trial the model's spec: Git
/// stays the truth, so promoting a trial for good is a pull request with this change. <see cref="Patch"/> shows it
/// as a diff of the YAML block (<c>-</c> the current line, <c>+</c> the proposed one, unchanged lines for context).
/// </summary>
public sealed record HyperparametersChange(string Model, string File, ImmutableArray<HyperparameterDifference> Differences,
    ImmutableSortedDictionary<string, string> Proposed, ImmutableSortedDictionary<string, string> Current)
{
    public bool IsEmpty => Differences.IsEmpty;

    public static HyperparametersChange Between(ModelSpec model, PlannedTrial trial)
    {
        var current = model.Spec.Training.Hyperparameters;
        var proposed = trial.Hyperparameters;
        var differences = current.Keys.Union(proposed.Keys).Order(StringComparer.Ordinal)
            .Select(k => new HyperparameterDifference(k, current.GetValueOrDefault(k), proposed.GetValueOrDefault(k)))
            .Where(d => d.Current != d.Proposed)
            .ToImmutableArray();
        return new HyperparametersChange(model.Name, model.Origin.File, differences, proposed, current);
    }

    /// <summary>The change as a diff of the <c>hyperparameters:</c> block of the model's file.</summary>
    public string Patch()
    {
        var text = new StringBuilder();
        text.Append("--- ").Append(File).Append('\n');
        text.Append("+++ ").Append(File).Append('\n');
        text.Append("   spec:\n     training:\n       hyperparameters:\n");
        foreach (var name in Current.Keys.Union(Proposed.Keys).Order(StringComparer.Ordinal))
        {
            var before = Current.GetValueOrDefault(name);
            var after = Proposed.GetValueOrDefault(name);
            if (before == after)
            {
                text.Append("         ").Append(name).Append(": ").Append(before).Append('\n');
                continue;
            }
            if (before is not null)
            {
                text.Append("-        ").Append(name).Append(": ").Append(before).Append('\n');
            }
            if (after is not null)
            {
                text.Append("+        ").Append(name).Append(": ").Append(after).Append('\n');
            }
        }
        return text.ToString();
    }
}
