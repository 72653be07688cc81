using GitOps.Specs.Model;

namespace GitOps.Planning.Retraining;

/// <summary>
/// The model a retrain generation trains: the Git spec with its dataset replaced by the generation's resolved URI and
/// sha256. Everything downstream (version, training Job, registry record, gates, rollout) takes this model, so a
/// retrained version is computed, trained and recorded exactly like one from a commit.
/// </summary>
public static class RetrainedModels
{
    /// <summary><paramref name="model"/> as <paramref name="generation"/> trains it; the Git spec itself when there is
    /// no generation, it is the baseline, or Git no longer pins what it was derived from.</summary>
    public static ModelSpec Apply(ModelSpec model, RetrainGeneration? generation) =>
        generation is { Generation: > 0 } g && g.AppliesTo(model)
            ? model with
            {
                Spec = model.Spec with
                {
                    Training = model.Spec.Training with { Dataset = new DatasetRef(g.DatasetUri, g.DatasetSha256) },
                },
            }
            : model;

    /// <summary><paramref name="specs"/> with each model replaced by <see cref="Apply"/> of its generation.</summary>
    public static SpecSet Apply(SpecSet specs, IReadOnlyDictionary<string, RetrainGeneration> generations)
    {
        if (generations.Count == 0)
        {
            return specs;
        }
        var changed = false;
        var models = specs.Models.Select(m =>
        {
            var applied = Apply(m, generations.TryGetValue(m.Name, out var g) ? g : null);
            changed |= !ReferenceEquals(applied, m);
            return applied;
        }).ToList();
        return changed ? specs with { Models = [.. models] } : specs;
    }
}
