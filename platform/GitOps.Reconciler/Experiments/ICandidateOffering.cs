using GitOps.Planning.Experiments;
using GitOps.Registry.Records;

namespace GitOps.Reconciler.Experiments;

/// <summary>Port: offers an experiment's best trial as a candidate version of its model (<c>promote: best</c>).</summary>
public interface ICandidateOffering
{
    Task<CandidateOffer> OfferAsync(ExperimentRunPlan plan, PlannedTrial best, CancellationToken ct);
}
