using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Registry;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;

namespace GitOps.Reconciler.Experiments;

/// <summary>
/// Offers the best trial as a candidate version through the same path as any trained version. The trial's spec is
/// the model's spec with the trial's hyperparameters, so the trial's version is the version that spec defines and its
/// artifacts are already where that version's are: the version is recorded as trained in the environment's registry
/// facts (it is never trained again), then admitted — gates evaluated against the environment's champion and the
/// record written — exactly as the reconciler admits a version. Nothing is served yet: Git stays the truth, and the
/// rollout starts once the model's spec in Git has the trial's hyperparameters (the change the plan and
/// <c>gitops experiments show</c> print).
/// </summary>
public sealed class RegistryCandidateOffering(IVersionAdmission admission, IRegistryFactStore facts, IArtifactStore store) : ICandidateOffering
{
    private const int SaveAttempts = 5;

    public async Task<CandidateOffer> OfferAsync(ExperimentRunPlan plan, PlannedTrial best, CancellationToken ct)
    {
        var environment = plan.Environment.Name;
        var model = best.Model.Name;
        var current = RegistryFacts.Empty;
        for (var attempt = 1; attempt <= SaveAttempts; attempt++)
        {
            var stored = await facts.ReadAsync(environment, ct);                                      // I/O
            current = (stored?.Facts ?? RegistryFacts.Empty).WithTrained(model, best.Version);        // pure
            var text = DurableFacts.ToText(current);
            // A lost race means another writer saved first: read again and merge.
            if (text == stored?.Text || await facts.SaveAsync(environment, text, stored?.ResourceVersion, ct))
            {
                break;
            }
        }
        var specs = plan.Specs with { Models = [.. plan.Specs.Models.Select(m => m.Name == model ? best.Model : m)] };
        var admitted = await admission.AdmitAsync(specs, plan.Environment, plan.Commit, current, [], ct); // I/O
        if (admitted.For(model).HeldBack(best.Version) is { } held)
        {
            return new CandidateOffer(best.Version, false, $"{held.State}: {held.Reason}");
        }
        var record = await new ModelRegistry(store).ReadAsync(model, best.Version, ct);
        return new CandidateOffer(best.Version, true,
            $"gates {record?.Gates.Summary ?? "passed"}; merge the hyperparameters change to roll it out");
    }
}
