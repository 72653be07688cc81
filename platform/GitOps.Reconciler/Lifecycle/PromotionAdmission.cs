using System.Collections.Concurrent;
using GitOps.Planning.Rendering;
using GitOps.Registry;
using GitOps.Registry.Promotion;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// Admission of a version into an environment with <c>promotion.from</c>, which never trains: the version is received
/// from the source environment's artifact store once the source's deploy history shows it served as stable for the
/// soak (<see cref="PromotionRule"/>). Until then it waits, with when it will be ready. When ready, the artifact's
/// sha256 is checked against its record, the files and the record are copied create-only into this environment's
/// store (when it has another), this environment's gates are evaluated against its champion, and a <c>received</c>
/// event with the evidence is appended to its deploy history. A store that does not answer makes the version wait;
/// an artifact that no longer matches its record is refused and logged as an error.
/// </summary>
public sealed class PromotionAdmission(Func<string, IArtifactStore> openStore, TimeProvider time, ILogger log)
{
    // The training profile travels with the model so the target's servers measure drift against it; a version trained
    // before profiles were written has none, and nothing is copied for it.
    private static readonly string[] CopiedFiles = [TrainingContract.ModelFile, TrainingContract.MetricsFile, TrainingContract.LineageFile, TrainingProfile.File];

    private readonly ConcurrentDictionary<(string Store, string Model, string Version), HeldVersion?> _decided = new();

    /// <summary>Null when <paramref name="version"/> was received and may be rolled out here; otherwise why it is held.</summary>
    public async Task<HeldVersion?> AdmitAsync(SpecSet specs, EnvironmentSpec target, ModelSpec model, string version, string commit,
        string? champion, CancellationToken ct)
    {
        var promotion = target.Spec.Promotion!;
        if (specs.Environment(promotion.From) is not { } source)
        {
            return new HeldVersion(HeldVersion.Rejected, $"promotion.from names '{promotion.From}', which is not defined; fix environments/{target.Name}/environment.yaml");
        }
        if (!Durations.TryParse(promotion.Soak ?? "0s", out var soak) || soak < TimeSpan.Zero)
        {
            return new HeldVersion(HeldVersion.Rejected, $"promotion.soak '{promotion.Soak}' is not a duration such as 30m or 24h; fix environments/{target.Name}/environment.yaml");
        }
        try
        {
            var sourceStore = openStore(ModelVersions.ArtifactStore(source));
            var targetStore = openStore(ModelVersions.ArtifactStore(target));
            var key = (targetStore.Root, model.Name, version);
            if (_decided.TryGetValue(key, out var decided))
            {
                return decided;
            }
            var sourceRegistry = new ModelRegistry(sourceStore);
            var history = await sourceRegistry.EventsAsync(model.Name, source.Name, ct);                   // I/O
            var now = time.GetUtcNow();
            var soaked = PromotionRule.Soaked(source.Name, model.Name, version, history, soak, now);      // pure
            if (!soaked.Done)
            {
                return new HeldVersion(HeldVersion.Waiting, soaked.Reason) { ReadyAt = soaked.ReadyAt };
            }
            var record = await sourceRegistry.ReadAsync(model.Name, version, ct);                         // I/O
            var artifact = record is null ? null : await sourceRegistry.VerifyArtifactAsync(record, ct);  // I/O
            var decision = PromotionRule.Decide(source.Name, soaked, soak, record, artifact, now);         // pure
            switch (decision.Verdict)
            {
                case PromotionVerdict.Waiting:
                    return new HeldVersion(HeldVersion.Waiting, decision.Reason);
                case PromotionVerdict.Refused:
                    log.LogError("{Environment}: {Model} {Version} is not promoted from {Source}: {Reason}", target.Name, model.Name, version, source.Name, decision.Reason);
                    return _decided[key] = new HeldVersion(HeldVersion.Rejected, $"not promoted from {source.Name}: {decision.Reason}");
            }
            return _decided[key] = await ReceiveAsync(specs, target, source.Name, model, record!, champion, commit, decision, sourceStore, targetStore, ct);
        }
        catch (ArtifactStoreException e)
        {
            log.LogWarning("{Environment}: {Model} {Version} waits for the artifact store: {Error}", target.Name, model.Name, version, e.Message);
            return new HeldVersion(HeldVersion.Waiting, $"waiting for the artifact store: {e.Message}");
        }
        catch (RegistryDataException e)
        {
            log.LogError("{Environment}: {Model} {Version}: {Error}", target.Name, model.Name, version, e.Message);
            return new HeldVersion(HeldVersion.Waiting, $"the registry holds a damaged file: {e.Message}; repair or remove it");
        }
    }

    private async Task<HeldVersion?> ReceiveAsync(SpecSet specs, EnvironmentSpec target, string source, ModelSpec model, ModelRecord record,
        string? champion, string commit, PromotionDecision decision, IArtifactStore sourceStore, IArtifactStore targetStore, CancellationToken ct)
    {
        var version = record.Version;
        var targetRegistry = new ModelRegistry(targetStore);
        if (sourceStore.Root != targetStore.Root)
        {
            foreach (var file in CopiedFiles)
            {
                var fileKey = RegistryLayout.ArtifactFile(model.Name, version, file);
                await using var content = await sourceStore.OpenReadAsync(fileKey, ct);                   // I/O
                if (content is not null)
                {
                    await targetStore.CreateAsync(fileKey, content, file.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream", ct);
                }
            }
            var check = await targetRegistry.VerifyArtifactAsync(record, ct);                             // I/O: what will be served
            if (!check.Matches)
            {
                log.LogError("{Environment}: {Model} {Version} is not promoted from {Source}: {Error}", target.Name, model.Name, version, source, check.Error);
                return new HeldVersion(HeldVersion.Rejected, $"not promoted from {source}: {check.Error}");
            }
            var written = await targetRegistry.RecordAsync(record, ct);                                   // I/O, create-only
            if (written.Record.Artifact.Sha256 != record.Artifact.Sha256)
            {
                var error = $"{target.Name}'s registry already records {model.Name} {version} with sha256 {written.Record.Artifact.Sha256}, but {source} served sha256 {record.Artifact.Sha256}; the records disagree and nothing is promoted until one is removed";
                log.LogError("{Environment}: {Error}", target.Name, error);
                return new HeldVersion(HeldVersion.Rejected, error);
            }
        }

        var championRecord = champion is null ? null : await targetRegistry.ReadAsync(model.Name, champion, ct);
        var gates = RegistryAdmission.Evaluate(specs, target, model, version, record.Metrics, record.Facts, champion, championRecord); // pure
        var history = await targetRegistry.EventsAsync(model.Name, target.Name, ct);
        var already = history.Any(e => e.Version == version && e.Type is RegistryEventTypes.Received or RegistryEventTypes.Rejected);
        if (!already)
        {
            await targetRegistry.AppendEventAsync(new RegistryEvent
            {
                Type = gates.Passed ? RegistryEventTypes.Received : RegistryEventTypes.Rejected,
                Model = model.Name,
                Environment = target.Name,
                Version = version,
                Commit = commit,
                At = time.GetUtcNow(),
                By = "reconciler",
                Reason = gates.Passed
                    ? $"promoted by artifact from {source}: {decision.Reason}"
                    : $"received from {source}, but the gates of {target.Name} {gates.Summary}",
                Evidence = decision.Evidence.Add(EvidenceKeys.TargetGates, gates.Summary),
            }, ct);
        }
        if (!gates.Passed)
        {
            return new HeldVersion(HeldVersion.Rejected, $"gates {gates.Summary}");
        }
        log.LogInformation("{Environment}: {Model} {Version} received from {Source} (sha256 {Sha256}): {Reason}",
            target.Name, model.Name, version, source, record.Artifact.Sha256, decision.Reason);
        return null;
    }
}
