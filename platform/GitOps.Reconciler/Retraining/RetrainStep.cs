using System.Collections.Immutable;
using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Registry;
using GitOps.Registry.Stores;
using GitOps.Rollouts.Analysis;
using GitOps.Specs;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Retraining;

/// <summary>What the retrain step of a pass did for one environment.</summary>
/// <param name="Specs">The commit's specs with each retrained model's dataset replaced by its generation's
/// (<see cref="RetrainedModels"/>): what admission, rollout and rendering take from here on.</param>
/// <param name="Facts">The registry facts with the generations recorded in this pass.</param>
/// <param name="Lines">One line per model with a retrain section, saying why it was retrained, why it is due but
/// waits, or when it is next due (for the status and <c>gitops status</c>).</param>
public sealed record RetrainStepResult(SpecSet Specs, RegistryFacts Facts, ImmutableArray<string> Lines);

/// <summary>Reads the sha256 of the dataset at a URI; null when nothing is there yet. Throws
/// <see cref="ArtifactStoreException"/>, <see cref="HttpRequestException"/> or <see cref="IOException"/> when it
/// cannot be read.</summary>
public delegate Task<StoredDigest?> DatasetHasher(string uri, CancellationToken ct);

/// <summary>
/// The retrain step of a reconcile pass (docs/retraining.md), run before admission and rendering for every model of
/// the environment with <c>spec.training.retrain</c>: it observes the served version's drift in the environment's
/// Prometheus, asks <see cref="RetrainSchedule.Decide"/>, and when a retrain is due resolves the dataset URI template
/// for now, hashes the dataset and records the new generation in the registry facts before anything trains, so a
/// reconciler restarted at any point finds the generation and never retrains twice. A dataset that is not there yet
/// (or cannot be read) records nothing and is looked for again next pass; serving is untouched. An environment with
/// <c>promotion.from</c> never retrains by itself: it follows the generations recorded for its source environment, so
/// the retrained version is what promotion carries.
/// </summary>
public sealed class RetrainStep(
    IRegistryFactStore store,
    DatasetHasher hashDataset,
    TimeProvider time,
    ILogger log,
    Func<Uri, IMetricsQuery>? prometheus = null)
{
    private readonly Dictionary<Uri, IMetricsQuery> _clients = [];
    private readonly Func<Uri, IMetricsQuery> _prometheus = prometheus ?? PrometheusClient.For;

    public async Task<RetrainStepResult> StepAsync(SpecSet specs, EnvironmentSpec env, RegistryFacts facts, CancellationToken ct)
    {
        var models = specs.Models
            .Where(m => m.Spec.Training.Retrain is not null && m.Spec.Environments.Contains(env.Name))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        if (models.Count == 0)
        {
            return new RetrainStepResult(specs, facts, []);
        }
        if (env.Spec.Promotion is { } promotion)
        {
            return await FollowSourceAsync(specs, env, promotion.From, facts, models, ct);
        }

        var now = time.GetUtcNow();
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var recorded = new Dictionary<string, (RetrainGeneration? From, RetrainGeneration To)>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            var stored = facts.Retrains.TryGetValue(model.Name, out var g) ? g : null;
            var last = stored is not null && stored.AppliesTo(model) ? stored : null;
            if (last is null)
            {
                // First seen (or Git re-pinned the dataset or changed the template): the Git pin is the baseline and
                // the schedule counts from now.
                var baseline = RetrainGeneration.Initial(model, now);
                recorded[model.Name] = (stored, baseline);
                lines[model.Name] = $"{model.Name} retrain: the dataset pinned in Git is the baseline; {RetrainSchedule.Decide(model, baseline, null, now).Detail}";
                continue;
            }
            var (drift, driftProblem) = await ObserveDriftAsync(env, model, facts, ct);                  // I/O: Prometheus
            var decision = RetrainSchedule.Decide(model, last, drift, now);                               // pure
            if (!decision.Due)
            {
                lines[model.Name] = $"{model.Name} {Describe(last)}" + (driftProblem is null ? $"; {decision.Detail}" : $"; {decision.Detail}; {driftProblem}");
                continue;
            }
            var uri = DatasetTemplates.Resolve(model.Spec.Training.Retrain!.UriTemplate, now);
            StoredDigest? digest;
            try
            {
                digest = await hashDataset(uri, ct);                                                      // I/O: the dataset
            }
            catch (Exception e) when (e is ArtifactStoreException or HttpRequestException or IOException or UnauthorizedAccessException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                log.LogWarning("{Environment}/{Model}: retrain due ({Detail}) but dataset {Uri} cannot be read: {Error}", env.Name, model.Name, decision.Detail, uri, e.Message);
                lines[model.Name] = $"{model.Name} retrain due: {decision.Detail}, but dataset {uri} cannot be read: {e.Message}; will retry next pass";
                continue;
            }
            if (digest is null)
            {
                log.LogInformation("{Environment}/{Model}: retrain due ({Detail}) but dataset {Uri} does not exist yet", env.Name, model.Name, decision.Detail, uri);
                lines[model.Name] = $"{model.Name} retrain due: {decision.Detail}, but dataset {uri} does not exist yet; will retry next pass";
                continue;
            }
            var unchanged = string.Equals(digest.Sha256, last.DatasetSha256, StringComparison.OrdinalIgnoreCase);
            // A dataset whose content did not change is recorded too: the version stays the same (nothing trains), and
            // the schedule counts from this check instead of hashing the same data again every pass.
            var next = last.Next(decision.Reason!, unchanged ? $"{decision.Detail}; dataset unchanged" : decision.Detail, uri, digest.Sha256, now);
            recorded[model.Name] = (stored, next);
            lines[model.Name] = unchanged
                ? $"{model.Name} retrain checked: {decision.Detail} → dataset {uri} sha256 {Short(digest.Sha256)} is unchanged; the version stays {ModelVersions.Compute(model, env, last)}"
                : $"{model.Name} retrained: {decision.Detail} → dataset {uri} sha256 {Short(digest.Sha256)} (generation {next.Generation}, version {ModelVersions.Compute(model, env, next)})";
        }

        if (recorded.Count > 0)
        {
            if (await RecordAsync(env.Name, recorded, ct))                                               // I/O: before anything trains
            {
                foreach (var (name, (_, to)) in recorded)
                {
                    facts = facts.WithRetrain(name, to);
                    if (to.Generation > 0)
                    {
                        log.LogInformation("{Environment}/{Model}: retrain generation {Generation} recorded: {Detail} → {Uri} sha256 {Sha256}",
                            env.Name, name, to.Generation, to.Detail, to.DatasetUri, to.DatasetSha256);
                    }
                }
            }
            else
            {
                foreach (var name in recorded.Keys)
                {
                    lines[name] = $"{name} retrain: the registry facts changed while the retrain was recorded; will decide again next pass";
                }
            }
        }
        return new RetrainStepResult(RetrainedModels.Apply(specs, facts.Retrains), facts, [.. lines.Values]);
    }

    /// <summary>Saves the new generations with the environment's other facts, unless someone recorded another
    /// generation for one of these models since it was read (a replica that just took over): then nothing is saved.</summary>
    private async Task<bool> RecordAsync(string environment, Dictionary<string, (RetrainGeneration? From, RetrainGeneration To)> recorded, CancellationToken ct)
    {
        var stored = await store.ReadAsync(environment, ct);
        var current = stored?.Facts ?? RegistryFacts.Empty;
        foreach (var (name, (from, to)) in recorded)
        {
            var now = current.Retrains.TryGetValue(name, out var g) ? g : null;
            if (now != from)
            {
                return false;
            }
            current = current.WithRetrain(name, to);
        }
        return await store.SaveAsync(environment, DurableFacts.ToText(current), stored?.ResourceVersion, ct);
    }

    /// <summary>An environment fed by promotion trains nothing: its models take the generations recorded for the
    /// source environment (when they still apply to Git), so their version is the one the source trained and serves.</summary>
    private async Task<RetrainStepResult> FollowSourceAsync(SpecSet specs, EnvironmentSpec env, string source, RegistryFacts facts,
        List<ModelSpec> models, CancellationToken ct)
    {
        var sourceFacts = (await store.ReadAsync(source, ct))?.Facts ?? RegistryFacts.Empty;                 // I/O
        var generations = new Dictionary<string, RetrainGeneration>(StringComparer.Ordinal);
        var lines = ImmutableArray.CreateBuilder<string>();
        foreach (var model in models)
        {
            if (sourceFacts.Retrains.TryGetValue(model.Name, out var g) && g.AppliesTo(model) && g.Generation > 0)
            {
                generations[model.Name] = g;
                lines.Add($"{model.Name} {Describe(g)}; received from {source} by promotion");
            }
            else
            {
                lines.Add($"{model.Name} retrain: follows {source} by promotion; {source} has not retrained it");
            }
        }
        return new RetrainStepResult(RetrainedModels.Apply(specs, generations), facts, lines.ToImmutable());
    }

    /// <summary>The served version's drift over the trigger's window; null without a trigger, a served version or a
    /// Prometheus (not measured), with why when Prometheus could not be asked.</summary>
    private async Task<(DriftObservation? Drift, string? Problem)> ObserveDriftAsync(EnvironmentSpec env, ModelSpec model, RegistryFacts facts, CancellationToken ct)
    {
        if (model.Spec.Training.Retrain!.OnDrift is not { } trigger || facts.For(model.Name).In(env.Name).StableVersion is not { } served)
        {
            return (null, null);
        }
        if (env.Spec.Prometheus is not { } target || !Uri.TryCreate(target.Url, UriKind.Absolute, out var url))
        {
            return (null, "drift is not measured: the environment sets no spec.prometheus.url");
        }
        if (!_clients.TryGetValue(url, out var client))
        {
            _clients[url] = client = _prometheus(url);
        }
        var observation = await client.QueryAsync(RetrainQueries.Drift(trigger, env.Spec.Namespace, model.Name, served), time.GetUtcNow(), ct);
        switch (observation.Kind)
        {
            case ObservationKind.Value:
                return (new DriftObservation(served, observation.Value), null);
            case ObservationKind.NoData:
                return (new DriftObservation(served, null), null);
            default:
                log.LogWarning("{Environment}/{Model}: drift not measured, Prometheus {Url} did not answer: {Error}", env.Name, model.Name, url, observation.Error);
                return (null, $"drift not measured: Prometheus {url} did not answer ({observation.Error}); a drift retrain waits for it");
        }
    }

    private static string Describe(RetrainGeneration g) => g.Generation == 0 ? $"retrain: {g.Describe()}" : g.Describe();

    private static string Short(string sha256) => RetrainGeneration.ShortSha(sha256);
}
