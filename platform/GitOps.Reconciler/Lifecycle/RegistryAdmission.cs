using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Policy.Gates;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// Admission through the registry of record in each environment's artifact store: for every model whose desired
/// version is trained but not yet served here, read its record — or, the first time, read its <c>metrics.json</c>
/// and <c>lineage.json</c>, evaluate its gates against this environment's champion and write the record
/// (create-only: of two reconcilers racing, one writes and both use the winner's verdict). A passing version whose
/// artifact still has its recorded sha256 is admitted; a failing one is held as rejected; a store that cannot be
/// read or written holds the version as waiting (nothing is served on a guess). Records never change, so each is
/// read once per process. With <paramref name="tokens"/>, each HTTP(S) store is opened with the token of the Secret
/// its environment names (read at the start of each admission, see <see cref="ArtifactStoreTokens"/>). An environment
/// with <c>promotion.from</c> never trains: its versions go through <see cref="PromotionAdmission"/> instead.
/// </summary>
public sealed class RegistryAdmission(
    Func<string, IArtifactStore> openStore,
    TimeProvider time,
    ILogger<RegistryAdmission> log,
    ArtifactStoreTokens? tokens = null) : IVersionAdmission
{
    private readonly ConcurrentDictionary<(string Store, string Model, string Version), ModelRecord> _records = new();
    private readonly ConcurrentDictionary<(string Store, string Model, string Version), string> _verified = new();
    private readonly PromotionAdmission _promotions = new(openStore, time, log);

    /// <summary>How this admission opens an environment's store (the deploy history is written to the same one).</summary>
    public Func<string, IArtifactStore> OpenStore => openStore;

    public async Task<RegistryFacts> AdmitAsync(SpecSet specs, EnvironmentSpec environment, string commit, RegistryFacts facts,
        IReadOnlyList<JsonObject> observed, CancellationToken ct)
    {
        if (tokens is not null)
        {
            // Every store opened in this pass (this admission, the deploy history, experiments) uses these tokens.
            await tokens.RefreshAsync(specs, ct);                                                  // I/O: Secrets
        }
        IArtifactStore? store = null;
        string? unusable = null;
        foreach (var model in specs.Models.Where(m => m.Spec.Environments.Contains(environment.Name)))
        {
            var version = ModelVersions.Compute(model, environment);
            var known = facts.For(model.Name);
            var deployed = known.In(environment.Name);
            if (environment.Spec.Promotion is not null)
            {
                // Never trained here: the version is received from the promotion source after its soak.
                if (deployed.StableVersion != version && deployed.Canary?.Version != version)
                {
                    var promoted = await _promotions.AdmitAsync(specs, environment, model, version, commit, deployed.StableVersion, ct);
                    facts = promoted is null ? facts.WithTrained(model.Name, version) : facts.WithHeld(model.Name, version, promoted);
                }
                continue;
            }
            if (!known.IsTrained(version) || deployed.StableVersion == version || deployed.Canary?.Version == version)
            {
                continue;
            }
            if (store is null && unusable is null)
            {
                try
                {
                    store = openStore(ModelVersions.ArtifactStore(environment));
                }
                catch (ArtifactStoreException e)
                {
                    unusable = e.Message;
                    log.LogWarning("{Environment}: the artifact store cannot be opened: {Error}", environment.Name, e.Message);
                }
            }
            var held = store is null
                ? new HeldVersion(HeldVersion.Waiting, $"waiting for the artifact store: {unusable}")
                : await AdmitVersionAsync(store, specs, environment, commit, model, version, deployed.StableVersion, observed, ct);
            if (held is not null)
            {
                facts = facts.WithHeld(model.Name, version, held);
            }
        }
        return facts;
    }

    private async Task<HeldVersion?> AdmitVersionAsync(IArtifactStore store, SpecSet specs, EnvironmentSpec environment, string commit,
        ModelSpec model, string version, string? champion, IReadOnlyList<JsonObject> observed, CancellationToken ct)
    {
        var registry = new ModelRegistry(store);
        try
        {
            var record = await ReadRecordAsync(registry, model.Name, version, ct)
                ?? await EvaluateAndRecordAsync(registry, specs, environment, commit, model, version, champion, observed, ct);
            if (!record.Passed)
            {
                return new HeldVersion(HeldVersion.Rejected, $"gates {record.Gates.Summary}");
            }
            var key = (store.Root, model.Name, version);
            if (_verified.TryGetValue(key, out var sha) && sha == record.Artifact.Sha256)
            {
                return null;
            }
            var check = await registry.VerifyArtifactAsync(record, ct);
            if (!check.Matches)
            {
                log.LogError("{Environment}: {Model} {Version} refused: {Error}", environment.Name, model.Name, version, check.Error);
                return new HeldVersion(HeldVersion.Rejected, check.Error!);
            }
            _verified[key] = record.Artifact.Sha256;
            return null;
        }
        catch (ArtifactStoreException e)
        {
            log.LogWarning("{Environment}: {Model} {Version} waits for the artifact store: {Error}", environment.Name, model.Name, version, e.Message);
            return new HeldVersion(HeldVersion.Waiting, $"waiting for the artifact store: {e.Message}");
        }
        catch (RegistryDataException e)
        {
            log.LogError("{Environment}: {Model} {Version}: {Error}", environment.Name, model.Name, version, e.Message);
            return new HeldVersion(HeldVersion.Waiting, $"the registry holds a damaged file: {e.Message}; repair or remove it");
        }
    }

    private async Task<ModelRecord?> ReadRecordAsync(ModelRegistry registry, string model, string version, CancellationToken ct)
    {
        var key = (registry.Store.Root, model, version);
        if (_records.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var record = await registry.ReadAsync(model, version, ct);
        if (record is not null)
        {
            _records[key] = record;
        }
        return record;
    }

    private async Task<ModelRecord> EvaluateAndRecordAsync(ModelRegistry registry, SpecSet specs, EnvironmentSpec environment, string commit,
        ModelSpec model, string version, string? champion, IReadOnlyList<JsonObject> observed, CancellationToken ct)
    {
        var store = registry.Store;
        var inputs = ModelVersions.Inputs(model, environment);
        var job = observed.OfModel("Job", model.Name).FirstOrDefault(o => ObjectKeys.Label(o, ManagedLabels.Version) == version);
        var metricsBytes = await store.ReadAllBytesAsync(RegistryLayout.ArtifactFile(model.Name, version, TrainingContract.MetricsFile), ct);
        var lineageBytes = await store.ReadAllBytesAsync(RegistryLayout.ArtifactFile(model.Name, version, TrainingContract.LineageFile), ct);
        var digest = await store.DigestAsync(RegistryLayout.ModelFile(model.Name, version), ct);
        var (modelSha, modelBytes) = (digest?.Sha256, digest?.Bytes);

        var problems = new List<string>();
        var metrics = metricsBytes is null ? null : MetricsFile.Parse(metricsBytes, modelBytes);
        if (metricsBytes is null)
        {
            problems.Add($"{TrainingContract.MetricsFile} was not published at '{store.Describe(RegistryLayout.ArtifactFile(model.Name, version, TrainingContract.MetricsFile))}'");
        }
        else if (!metrics!.IsValid)
        {
            problems.AddRange(metrics.Problems.Select(p => $"{TrainingContract.MetricsFile}: {p}"));
        }
        var (lineage, lineageProblem) = lineageBytes is null ? (null, "was not published") : LineageFile.Parse(lineageBytes);
        if (lineage is null)
        {
            problems.Add($"{TrainingContract.LineageFile}: {lineageProblem}");
        }
        if (modelSha is null)
        {
            problems.Add($"{TrainingContract.ModelFile} was not published at '{store.Describe(RegistryLayout.ModelFile(model.Name, version))}'");
        }

        var championRecord = champion is null ? null : await ReadRecordAsync(registry, model.Name, champion, ct);
        var facts = metrics?.Facts ?? new MeasuredFacts(modelBytes ?? 0, 0, 0, 0, 0);
        var verdicts = problems.Count > 0
            ? new GateVerdicts(false, champion, [.. problems.Select(p => new GateVerdict("training-output", "contract", false, p))])
            : Evaluate(specs, environment, model, version, metrics!.Metrics, facts, champion, championRecord);

        var now = time.GetUtcNow();
        var record = new ModelRecord
        {
            Model = model.Name,
            Version = version,
            Environment = environment.Name,
            Source = new SourceLineage(commit, CanonicalJson.Hash(inputs)),
            Dataset = new DatasetLineage(model.Spec.Training.Dataset.Uri, lineage?.DatasetSha256 ?? model.Spec.Training.Dataset.Sha256.ToLowerInvariant(), lineage?.DatasetRows ?? 0),
            Trainer = new TrainerLineage(inputs["trainer"]?["image"]?.ToString() ?? "", lineage?.TrainerName ?? "", lineage?.TrainerVersion ?? ""),
            Job = new JobLineage(job is null ? "" : ObjectKeys.Of(job).Name, lineage?.StartedAt ?? now, lineage?.FinishedAt ?? now),
            Metrics = metrics?.Metrics ?? ImmutableSortedDictionary<string, double>.Empty,
            Facts = facts,
            Artifact = new ArtifactLineage($"{store.Root.TrimEnd('/')}/{RegistryLayout.ModelFile(model.Name, version)}", modelSha ?? "", modelBytes ?? 0),
            Gates = verdicts,
            RecordedAt = now,
        };
        var write = await registry.RecordAsync(record, ct);
        _records[(store.Root, model.Name, version)] = write.Record;
        if (write.Written)
        {
            log.LogInformation("{Environment}: recorded {Model} {Version}: {Verdict}", environment.Name, model.Name, version, verdicts.Summary);
            await registry.AppendEventAsync(new RegistryEvent
            {
                Type = verdicts.Passed ? RegistryEventTypes.Recorded : RegistryEventTypes.Rejected,
                Model = model.Name,
                Environment = environment.Name,
                Version = version,
                Commit = commit,
                At = now,
                By = "reconciler",
                Reason = verdicts.Summary,
            }, ct);
        }
        return write.Record;
    }

    /// <summary>Pure: every gate of the model in this environment against the champion's recorded metrics.</summary>
    internal static GateVerdicts Evaluate(SpecSet specs, EnvironmentSpec environment, ModelSpec model, string version,
        ImmutableSortedDictionary<string, double> metrics, MeasuredFacts facts, string? champion, ModelRecord? championRecord)
    {
        var rules = ImmutableArray.CreateBuilder<GateVerdict>();
        var modelFacts = new Policy.Gates.ModelFacts(model.Name, version, facts.SizeBytes, facts.LatencyP50Ms, facts.LatencyP99Ms);
        foreach (var name in EffectiveModel.Of(model, environment.Name).Gates)
        {
            if (specs.QualityGate(name) is not { } gate)
            {
                rules.Add(new GateVerdict(name, "(gate)", false, $"quality gate '{name}' is not defined"));
                continue;
            }
            var result = GateEvaluator.Evaluate(gate, metrics, championRecord?.Metrics, modelFacts);
            rules.AddRange(result.Rules.Select(r => new GateVerdict(name, r.Rule,
                r.Passed, champion is not null && championRecord is null && r.Reason.Contains("no champion", StringComparison.Ordinal)
                    ? $"{r.Reason}; the champion {champion} has no record in the registry"
                    : r.Reason)));
        }
        return new GateVerdicts(rules.All(r => r.Passed), champion, rules.ToImmutable());
    }
}
