using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Reconciler.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Reconciler.Retraining;

/// <summary>What a manual retrain did: <see cref="Generation"/> recorded, or why not (<see cref="Message"/>);
/// <see cref="Failed"/> when it should be tried again (a dataset not there yet or unreadable, a concurrent write).</summary>
public sealed record ManualRetrainOutcome(RetrainGeneration? Generation, bool Failed, string Message);

/// <summary>
/// A retrain asked for by a person (<c>gitops models retrain</c>): the dataset URI template resolved for now, the
/// dataset hashed, and the next generation recorded with reason <c>manual</c> and who asked, exactly as the reconcile
/// pass records a due retrain; the reconciler trains it on its next pass, through gates and rollout. A dataset with
/// the content of the current generation records nothing: the version would not change.
/// </summary>
public static class ManualRetrains
{
    public static async Task<ManualRetrainOutcome> RecordAsync(IRegistryFactStore store, DatasetHasher hashDataset, EnvironmentSpec env,
        ModelSpec model, string by, DateTimeOffset now, CancellationToken ct)
    {
        var retrain = model.Spec.Training.Retrain ?? throw new ArgumentException($"model '{model.Name}' declares no retrain", nameof(model));
        var stored = await store.ReadAsync(env.Name, ct);                                                     // I/O
        var facts = stored?.Facts ?? RegistryFacts.Empty;
        var recorded = facts.Retrains.TryGetValue(model.Name, out var g) ? g : null;
        var last = recorded is not null && recorded.AppliesTo(model) ? recorded : RetrainGeneration.Initial(model, now);
        var uri = DatasetTemplates.Resolve(retrain.UriTemplate, now);
        StoredDigest? digest;
        try
        {
            digest = await hashDataset(uri, ct);                                                               // I/O
        }
        catch (Exception e) when (e is ArtifactStoreException or HttpRequestException or IOException or UnauthorizedAccessException)
        {
            return new ManualRetrainOutcome(null, true, $"dataset {uri} cannot be read: {e.Message}; nothing was recorded");
        }
        if (digest is null)
        {
            return new ManualRetrainOutcome(null, true, $"dataset {uri} does not exist yet; publish it, then run this again (nothing was recorded)");
        }
        if (string.Equals(digest.Sha256, last.DatasetSha256, StringComparison.OrdinalIgnoreCase))
        {
            return new ManualRetrainOutcome(null, false,
                $"dataset {uri} (sha256 {RetrainGeneration.ShortSha(digest.Sha256)}) is what {model.Name} already trains on in {env.Name}: the version stays {ModelVersions.Compute(model, env, last)}; nothing was recorded");
        }
        var next = last.Next(RetrainReasons.Manual, $"manual retrain by {by}", uri, digest.Sha256, now, by);
        if (!await store.SaveAsync(env.Name, DurableFacts.ToText(facts.WithRetrain(model.Name, next)), stored?.ResourceVersion, ct)) // I/O
        {
            return new ManualRetrainOutcome(null, true, $"the registry facts of {env.Name} changed while the retrain was recorded (the reconciler wrote them); run this again");
        }
        return new ManualRetrainOutcome(next, false,
            $"recorded retrain generation {next.Generation} of {model.Name} in {env.Name}: dataset {uri} sha256 {RetrainGeneration.ShortSha(next.DatasetSha256)} → version {ModelVersions.Compute(model, env, next)}. "
            + "The reconciler trains it on its next pass, through the gates and the rollout (gitops status shows it).");
    }
}
