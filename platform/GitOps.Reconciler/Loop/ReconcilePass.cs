using System.Collections.Immutable;
using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Experiments;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Retraining;
using GitOps.Reconciler.Rollouts;
using GitOps.Reconciler.Status;
using GitOps.Specs;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Loop;

/// <summary>Settings of <see cref="ReconcilePass"/>.</summary>
public sealed record ReconcilePassSettings
{
    /// <summary>Full validation of a commit's files (schema, references, policies). Pure.</summary>
    public required Func<IEnumerable<SourceFile>, LoadResult> Validate { get; init; }

    public Backoff Backoff { get; init; } = Backoff.Default;

    /// <summary>Objects applied at once within a wave.</summary>
    public int ApplyParallelism { get; init; } = 8;

    /// <summary>Gates and the registry of record between training and rollout; null admits every trained version.</summary>
    public IVersionAdmission? Admission { get; init; }

    /// <summary>A single pass (<c>gitops reconcile --once</c>): nothing is retried, so logs do not promise a next try.</summary>
    public bool Once { get; init; }

    /// <summary>Told when an environment is applied or stalls, and of each deployment; never fails or blocks the pass.</summary>
    public INotifier Notifier { get; init; } = NoOpNotifier.Instance;

    /// <summary>The pods of training Jobs, for why a Job failed or cannot start; null judges Jobs by their status alone.</summary>
    public ITrainingPods? TrainingPods { get; init; }
    /// <summary>Advances each model's rollout before rendering (state store, analysis, rollback); null: rollouts are
    /// drawn as the cluster shows them and never advance.</summary>
    public RolloutController? Rollouts { get; init; }

    /// <summary>Steps the environment's experiments after each converged pass; null: experiments are not run.</summary>
    public ExperimentPass? Experiments { get; init; }

    /// <summary>Decides and records retrains before admission (docs/retraining.md); null: <c>spec.training.retrain</c>
    /// is not acted on.</summary>
    public RetrainStep? Retraining { get; init; }

    /// <summary>The cluster is a Kubernetes API server (<c>gitops reconcile</c>): an environment with
    /// <c>cluster: {local: {}}</c> is refused, since <c>gitops up</c> serves it on this machine.</summary>
    public bool KubernetesOnly { get; init; }

    /// <summary>The models this reconciler converges when several share the environments (<c>--shard</c>): the
    /// commit is validated whole, then only this shard's models are kept, rendered and planned. The cluster driver
    /// reads this shard's objects only, so nothing of another shard is ever pruned.</summary>
    public Shard Shard { get; init; } = Shard.Whole;
}

/// <summary>
/// One reconcile pass: fetch → load/validate → observe → render → plan → apply in waves → report, for each
/// environment asked. Every exit is a <see cref="ReconcileOutcome"/> and the status written says why. A commit with
/// errors never reaches the cluster (and so never prunes); a commit that stalled is not loaded again until Git moves.
/// </summary>
public sealed class ReconcilePass(
    IGitSource git,
    IClusterDriver cluster,
    IEnvironmentStatusStore statuses,
    IRegistry registry,
    ReconcilerMetrics metrics,
    TimeProvider time,
    ReconcilePassSettings settings,
    ILogger<ReconcilePass> log)
{
    private readonly PlanExecutor _executor = new(cluster, settings.ApplyParallelism);
    private readonly RenderCache _renderCache = new();
    private readonly TrainingWatch _training = new(settings.TrainingPods, metrics, log);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RolloutStepResult> _rollouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _readyAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<string>> _experiments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<string>> _retraining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _outOfReachAt = new(StringComparer.Ordinal);
    private LoadedCommit? _lastLoad;
    private volatile SpecSet? _lastGoodSpecs;

    private sealed record LoadedCommit(string Commit, LoadResult Load);

    /// <summary>How soon <paramref name="environment"/>'s rollouts need the next pass (a measurement, the end of a
    /// pause, pods awaited); null when no rollout is under way there.</summary>
    public TimeSpan? RolloutWait(string environment) =>
        _rollouts.TryGetValue(environment, out var step) ? step.NextCheck : null;

    /// <summary>How long until the first version held as waiting in <paramref name="environment"/> is expected to be
    /// ready (a promotion's soak ends), from <paramref name="now"/>; null when none says when.</summary>
    public TimeSpan? ReadyWait(string environment, DateTimeOffset now) =>
        _readyAt.TryGetValue(environment, out var at) ? at > now ? at - now : TimeSpan.Zero : null;

    /// <summary>The namespace <paramref name="environment"/> converges in, as the last loaded commit says; null before
    /// a commit defining it was loaded.</summary>
    public string? NamespaceOf(string environment) =>
        _lastLoad is { Load.HasErrors: false } last && OutOfReach(last.Load.Specs, environment, last.Commit) is null
            ? last.Load.Specs.Environment(environment)?.Spec.Namespace
            : null;

    /// <summary>The specs of the last commit loaded without errors (what the web console reads policies and
    /// namespaces from); null before one was.</summary>
    public SpecSet? LastGoodSpecs => _lastGoodSpecs;

    /// <summary>Runs a pass for <paramref name="environments"/> (one fetch for all) and returns one outcome per environment.</summary>
    public async Task<ImmutableArray<ReconcileOutcome>> RunAsync(IReadOnlyList<string> environments, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        GitFetchResult fetched;
        try
        {
            fetched = await git.FetchAsync(ct);                                                  // I/O
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            fetched = GitFetchResult.Failure(Describe(e), null);
        }
        metrics.RecordFetch(time.GetElapsedTime(started), fetched.Succeeded);
        if (!fetched.Succeeded && fetched.Checkout is { } lastGood)
        {
            // Git is down, the cluster is not: keep converging (healing drift) on the last good commit, and say why
            // the new commit, if any, is not seen.
            log.LogWarning("Git fetch failed: {Error}; converging on the last good commit {Commit}", fetched.Error, Short(lastGood.Revision));
            var kept = ImmutableArray.CreateBuilder<ReconcileOutcome>(environments.Count);
            foreach (var environment in environments)
            {
                kept.Add(await ReconcileEnvironmentAsync(environment, lastGood, started, ct, fetched.Error));
            }
            return kept.MoveToImmutable();
        }
        if (!fetched.Succeeded || fetched.Checkout is null)
        {
            // Nothing was ever fetched: the cluster keeps what it has, and the pass is retried.
            log.LogWarning("Git fetch failed: {Error}", fetched.Error);
            var failed = ImmutableArray.CreateBuilder<ReconcileOutcome>(environments.Count);
            foreach (var environment in environments)
            {
                failed.Add(await ReportAsync(null,
                    new ReconcileOutcome.Retry(environment, null, NextBackoff(environment), $"git fetch failed: {fetched.Error}"),
                    started, ct));
            }
            return failed.MoveToImmutable();
        }
        var checkout = fetched.Checkout;
        var commit = checkout.Revision;

        var outcomes = ImmutableArray.CreateBuilder<ReconcileOutcome>(environments.Count);
        foreach (var environment in environments)
        {
            outcomes.Add(await ReconcileEnvironmentAsync(environment, checkout, started, ct));
        }
        return outcomes.MoveToImmutable();
    }

    private async Task<ReconcileOutcome> ReconcileEnvironmentAsync(string environment, GitCheckout checkout, long started, CancellationToken ct,
        string? gitError = null)
    {
        var commit = checkout.Revision;
        if (OutOfReach(checkout, environment) is { } refused)                                    // pure
        {
            // A wrong --env, not a wrong commit: no status is read or written for it, and it is said once per commit.
            metrics.RecordOutcome(refused, time.GetElapsedTime(started), time.GetUtcNow());
            if (_outOfReachAt.GetValueOrDefault(environment) != commit)
            {
                _outOfReachAt[environment] = commit;
                Log(refused);
            }
            return refused;
        }
        EnvironmentStatus status;
        try
        {
            status = await ReadStatusAsync(environment, ct);                                     // I/O
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Without status we cannot know the last good commit: change nothing.
            LogFault(e, "{Environment}: cannot read status", environment);
            var outcome = FaultOutcome(environment, commit, e, "cannot read status: ");
            metrics.RecordOutcome(outcome, time.GetElapsedTime(started), time.GetUtcNow());
            Log(outcome);
            return outcome;
        }

        if (status.IsStalledAt(commit))
        {
            // Already reported; the commit cannot have changed, so neither can the verdict.
            var again = new ReconcileOutcome.Stalled(environment, commit, status.LastAppliedCommit,
                "still at the commit that stalled; waiting for a new commit", []);
            metrics.RecordOutcome(again, time.GetElapsedTime(started), time.GetUtcNow());
            return again;
        }

        ReconcileOutcome result;
        try
        {
            result = await ConvergeAsync(environment, checkout, status, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogFault(e, "{Environment}: pass at {Commit} failed", environment, Short(commit));
            result = FaultOutcome(environment, commit, e, "");
        }
        if (gitError is not null && result is ReconcileOutcome.Applied or ReconcileOutcome.NoChange)
        {
            // Converged on the last good commit, but Git still has to be read again soon.
            var healed = result is ReconcileOutcome.Applied a ? a.DriftHealed : 0;
            result = new ReconcileOutcome.Retry(environment, commit, NextBackoff(environment),
                $"git fetch failed: {gitError}; the cluster is kept converged on the last good commit {Short(commit)}"
                + (healed > 0 ? $" ({healed} drifted object(s) restored)" : ""));
        }
        return await ReportAsync(status, result, started, ct);
    }

    /// <summary>The ladder: I/O and pure steps alternate; every exit is an outcome.</summary>
    private async Task<ReconcileOutcome> ConvergeAsync(
        string environment, GitCheckout checkout, EnvironmentStatus status, CancellationToken ct)
    {
        var commit = checkout.Revision;
        var load = Load(checkout);                                                                // pure (memoised)
        if (load.HasErrors)
        {
            var errors = load.Diagnostics.Count(d => d.IsError);
            return new ReconcileOutcome.Stalled(environment, commit, status.LastAppliedCommit,
                $"{errors} validation error(s)", load.Diagnostics);
        }
        // Not null: an environment the commit does not define was answered before the status was read.
        var env = load.Specs.Environment(environment)!;

        var observed = await cluster.ReadManagedAsync(environment, env.Spec.Namespace, ct);    // I/O
        var facts = await registry.ReadAsync(environment, observed, ct);                         // I/O
        var specs = load.Specs;
        if (settings.Retraining is { } retraining)
        {
            // Recorded before anything trains; from here on every step sees the retrained models.
            var retrained = await retraining.StepAsync(specs, env, facts, ct);                     // I/O: Prometheus, dataset, facts
            (specs, facts) = (retrained.Specs, retrained.Facts);
            _retraining[environment] = retrained.Lines;
        }
        if (settings.Admission is { } admission)
        {
            facts = await admission.AdmitAsync(specs, env, commit, facts, observed, ct);           // I/O: gates + registry of record
        }
        var held = Held(facts);
        if (facts.Models.Values.SelectMany(m => m.Held.Values).Select(h => h.ReadyAt).Where(t => t is not null).Min() is { } readyAt)
        {
            _readyAt[environment] = readyAt;
        }
        else
        {
            _readyAt.Remove(environment);
        }
        var training = TrainingLines(await _training.ObserveAsync(environment, env.Spec.Namespace, observed, ct)); // I/O: pods of unfinished Jobs
        if (settings.Rollouts is { } rollouts)
        {
            var step = await rollouts.AdvanceAsync(specs, env, facts, observed, commit, settings.Notifier, ct); // I/O + pure
            facts = step.Facts;
            _rollouts[environment] = step;
        }
        // The objects to apply are kept as their text: a first pass creates every object of the environment.
        var planned = EnvironmentPlanner.PlanEnvironment(specs, environment, facts,               // pure
            new RenderContext(commit) { Shard = settings.Shard }, observed, _renderCache, desiredAsText: true);
        if (planned.HasErrors)
        {
            var errors = planned.Diagnostics.Count(d => d.IsError);
            return new ReconcileOutcome.Stalled(environment, commit, status.LastAppliedCommit,
                $"{errors} render error(s)", planned.Diagnostics);
        }

        var plan = planned.Plan;
        var summary = Summarize(plan);
        var drift = CountDrift(plan);                                                             // pure
        metrics.RecordDrift(environment, drift);
        foreach (var conflict in plan.Conflicts)
        {
            log.LogWarning("{Environment}: {Conflict}", environment, conflict.Reason);
        }
        if (!plan.HasChanges)
        {
            await StepExperimentsAsync(specs, env, commit, ct);                                   // I/O
            return new ReconcileOutcome.NoChange(environment, commit, summary, drift) { Held = held, Training = training };
        }

        var changes = plan.Changes.Select(a => $"{a.Action} {a.Key}: {a.Reason}").ToImmutableArray();
        foreach (var change in changes)
        {
            log.LogInformation("{Environment}: {Change}", environment, change);
        }
        await settings.Notifier.NotifySafelyAsync(new DeploymentStarted(environment, commit, time.GetUtcNow(), null, null), log, ct);
        var executed = await _executor.ExecuteAsync(plan, ct);                                    // I/O
        metrics.RecordApply(environment, executed.Applied, executed.Pruned);
        if (!executed.Refused.IsEmpty)
        {
            var first = executed.Refused[0];
            var more = executed.Refused.Length > 1 ? $" (and {executed.Refused.Length - 1} more object(s))" : "";
            var others = executed.Applied + executed.Pruned > 0 ? $"; {executed.Applied + executed.Pruned} other object(s) were applied" : "";
            return new ReconcileOutcome.Refused(environment, commit, settings.Backoff.Max, $"{first}{more}{others}",
                executed.Refused, summary);
        }
        await StepExperimentsAsync(specs, env, commit, ct);                                       // I/O
        var healed = plan.Actions.Count(a => a.Action == ActionKind.Update && IsDrift(a));
        return new ReconcileOutcome.Applied(environment, commit, summary, healed, changes) { Held = held, Training = training };
    }

    /// <summary>Experiments step once the environment is converged, so their trials see its training Jobs' GPUs.</summary>
    private async Task StepExperimentsAsync(SpecSet specs, EnvironmentSpec environment, string commit, CancellationToken ct)
    {
        if (settings.Experiments is { } experiments)
        {
            _experiments[environment.Name] = await experiments.StepAsync(specs, environment, commit, ct);
        }
    }

    /// <summary>One line per trained version held back, e.g. <c>fraud 9a75b5701b77 rejected: gates rejected: ...</c>.</summary>
    private static ImmutableArray<string> Held(RegistryFacts facts) =>
        [.. facts.Models.SelectMany(m => m.Value.Held.Select(h => $"{m.Key} {h.Key} {h.Value.State}: {h.Value.Reason}"))];

    /// <summary>One line per training Job that needs a person, e.g. <c>fraud 9a75b5701b77 backoff_exhausted: ...</c>.</summary>
    private static ImmutableArray<string> TrainingLines(ImmutableArray<TrainingRun> runs) =>
        [.. runs.Where(r => r.NeedsAttention).Select(r => r.ToString())];

    /// <summary>
    /// <see cref="OutOfReach(SpecSet, string, string)"/> for the commit of <paramref name="checkout"/>. The
    /// environment documents alone answer for every environment this pass is meant for, so a commit that stalled is
    /// not validated again after a restart; only a doubtful answer pays for validating the whole commit.
    /// </summary>
    private ReconcileOutcome.Stalled? OutOfReach(GitCheckout checkout, string environment)
    {
        if (_lastLoad is { } last && last.Commit == checkout.Revision)
        {
            // The commit was validated on an earlier pass: its specs answer without parsing anything again.
            return last.Load.HasErrors ? null : OutOfReach(last.Load.Specs, environment, last.Commit);
        }
        if (SpecLoader.Load(SpecFiles(checkout, "environments/")).Specs.Environment(environment) is { } declared
            && (declared.Spec.Cluster.Local is null || !settings.KubernetesOnly))
        {
            return null;
        }
        return Load(checkout) is { HasErrors: false } valid ? OutOfReach(valid.Specs, environment, checkout.Revision) : null;
    }

    /// <summary>
    /// Why <paramref name="environment"/> cannot be converged by this pass whatever the cluster holds (it is not
    /// defined in the commit, or it is local and the cluster is Kubernetes), as a stalled outcome; null when it can.
    /// </summary>
    private ReconcileOutcome.Stalled? OutOfReach(SpecSet specs, string environment, string commit)
    {
        var env = specs.Environment(environment);
        if (env is not null && (env.Spec.Cluster.Local is null || !settings.KubernetesOnly))
        {
            return null;
        }
        var names = specs.Environments.Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        var kubernetes = specs.Environments.Where(e => e.Spec.Cluster.Local is null).Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        if (env is not null)
        {
            return new ReconcileOutcome.Stalled(environment, commit, null,
                $"environment '{environment}' runs on this machine ('cluster: {{local: {{}}}}'): 'gitops up --env {environment}' serves it, "
                + "not the reconciler, which converges environments on Kubernetes"
                + (kubernetes.Count == 0 ? $" (commit {Short(commit)} defines none)" : $" (commit {Short(commit)} defines: {string.Join(", ", kubernetes)})"), [])
            { OutOfReach = true };
        }
        var defined = names.Count == 0 ? "it defines none" : $"it defines: {string.Join(", ", names)}";
        var typo = Suggestions.DidYouMean(environment, names);
        return new ReconcileOutcome.Stalled(environment, commit, null,
            $"environment '{environment}' is not defined in commit {Short(commit)} ({defined}" + (typo is null ? ")" : $"; {typo})"),
            [new Diagnostic(PlanningDiagnostics.UnknownEnvironment, Severity.Error, SourceSpan.StartOf($"environments/{environment}/environment.yaml"),
                $"environment '{environment}' is not defined", typo ?? (names.Count == 0 ? null : $"defined: {string.Join(", ", names)}"))])
        { OutOfReach = true };
    }

    private LoadResult Load(GitCheckout checkout)
    {
        if (_lastLoad is { } last && last.Commit == checkout.Revision)
        {
            return last.Load;
        }
        // Whatever the source returned, only spec files are read: the same set `gitops validate` reads in a checkout.
        var load = settings.Validate(SpecFiles(checkout));
        // Validated, policies included: the specs are kept until the next commit, the models of other shards need not be.
        load = load with { Specs = settings.Shard.Select(load.Specs) };
        _lastLoad = new LoadedCommit(checkout.Revision, load);
        if (!load.HasErrors)
        {
            _lastGoodSpecs = load.Specs;
        }
        return load;
    }

    /// <summary>The spec files of the checkout, or of its folder <paramref name="under"/> (e.g. <c>environments/</c>).</summary>
    private static IReadOnlyList<SourceFile> SpecFiles(GitCheckout checkout, string under = "") =>
        RepositoryFiles.Select(checkout.Files.Where(f => f.Path.StartsWith(under, StringComparison.Ordinal))
            .Select(f => f.ToSourceFile()));

    private async Task<EnvironmentStatus> ReadStatusAsync(string environment, CancellationToken ct) =>
        await statuses.ReadAsync(environment, ct) ?? new EnvironmentStatus { Environment = environment };

    private TimeSpan NextBackoff(string environment)
    {
        var failures = _failures.GetValueOrDefault(environment) + 1;
        _failures[environment] = failures;
        return settings.Backoff.After(failures);
    }

    /// <summary>Saves the status computed from <paramref name="read"/> (null: read it now) and records the outcome.</summary>
    private async Task<ReconcileOutcome> ReportAsync(EnvironmentStatus? read, ReconcileOutcome outcome, long started, CancellationToken ct)
    {
        if (outcome is not ReconcileOutcome.Retry)
        {
            _failures.Remove(outcome.Environment);
        }
        try
        {
            var current = read ?? await ReadStatusAsync(outcome.Environment, ct);                  // I/O
            var next = StatusReport.Next(current, outcome, time.GetUtcNow());
            if (_rollouts.TryGetValue(outcome.Environment, out var rollouts))
            {
                next = next with { RolloutSummary = rollouts.Summary.IsEmpty ? null : string.Join('\n', rollouts.Summary) };
            }
            if (_retraining.TryGetValue(outcome.Environment, out var retrains))
            {
                next = next with { Retraining = retrains.IsEmpty ? null : string.Join('\n', retrains) };
            }
            if (_experiments.TryGetValue(outcome.Environment, out var experiments))
            {
                next = next with { Experiments = experiments.IsEmpty ? null : string.Join('\n', experiments) };
            }
            await statuses.SaveAsync(next, ct);                                                   // I/O
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Another writer (a replica that just took over) or an unreachable API server. What was applied stays
            // applied; the next pass finds nothing left to do and writes the status then. A single pass has no next.
            log.LogWarning(settings.Once
                    ? "{Environment}: cannot save status ({Error}); it is not written: run the pass again to record it"
                    : "{Environment}: cannot save status ({Error}); it is written on the next pass",
                outcome.Environment, Describe(e));
            LogFault(e, "{Environment}: cannot save status", outcome.Environment);
        }
        metrics.RecordOutcome(outcome, time.GetElapsedTime(started), time.GetUtcNow());
        Log(outcome);
        await NotifyAsync(outcome, ct);
        return outcome;
    }

    /// <summary>Applied and stalled commits are reported (a commit status each); a deployment started by this pass is
    /// finished with its result. NoChange and transient faults report nothing new.</summary>
    private async Task NotifyAsync(ReconcileOutcome outcome, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var notifier = settings.Notifier;
        switch (outcome)
        {
            case ReconcileOutcome.Applied { Commit: { } applied } a:
                await notifier.NotifySafelyAsync(new DeploymentFinished(a.Environment, applied, now, true, $"applied: {a.Plan}", null, null), log, ct);
                await notifier.NotifySafelyAsync(new EnvironmentApplied(a.Environment, applied, now, a.Plan.ToString()), log, ct);
                break;
            case ReconcileOutcome.Stalled { Commit: { } stalled } s:
                await notifier.NotifySafelyAsync(new DeploymentFinished(s.Environment, stalled, now, false, $"stalled: {s.Reason}", null, null), log, ct);
                await notifier.NotifySafelyAsync(new EnvironmentStalled(s.Environment, stalled, now, s.Reason, s.LastGoodCommit), log, ct);
                break;
            case ReconcileOutcome.Refused { Commit: { } commit } r:
                await notifier.NotifySafelyAsync(new DeploymentFinished(r.Environment, commit, now, false, $"refused by the API server: {r.Reason}", null, null), log, ct);
                break;
        }
    }

    private void Log(ReconcileOutcome outcome)
    {
        switch (outcome)
        {
            case ReconcileOutcome.Applied a:
                log.LogInformation("{Environment}: applied {Commit}: {Plan}", a.Environment, Short(a.Commit), a.Plan);
                break;
            case ReconcileOutcome.NoChange n:
                log.LogDebug("{Environment}: {Commit} unchanged ({Drift} drifted object(s) left alone)", n.Environment, Short(n.Commit), n.Drift);
                break;
            case ReconcileOutcome.Stalled s:
                log.LogWarning("{Environment}: {Commit} stalled: {Reason}; keeping {LastGood}{Diagnostics}", s.Environment,
                    Short(s.Commit), s.Reason, Short(s.LastGoodCommit),
                    string.Concat(s.Diagnostics.Where(d => d.IsError).Take(20).Select(d => "\n  " + d)));
                break;
            case ReconcileOutcome.Retry r when settings.Once:
                log.LogWarning("{Environment}: failed: {Reason}", r.Environment, r.Reason);
                break;
            case ReconcileOutcome.Retry r:
                log.LogWarning("{Environment}: retry in {After}: {Reason}", r.Environment, Durations.Format(r.After), r.Reason);
                break;
            case ReconcileOutcome.Refused r when settings.Once:
                log.LogWarning("{Environment}: refused by the API server: {Reason}", r.Environment, r.Reason);
                break;
            case ReconcileOutcome.Refused r:
                log.LogWarning("{Environment}: refused by the API server: {Reason}; next try in {After}", r.Environment, r.Reason, Durations.Format(r.After));
                break;
        }
    }

    /// <summary>A refusal (403, 401, 404 of a kind, 422) waits for the long backoff; any other fault is retried soon.</summary>
    private ReconcileOutcome FaultOutcome(string environment, string? commit, Exception e, string prefix) => e switch
    {
        KubernetesApiException { IsRefusal: true } refusal =>
            new ReconcileOutcome.Refused(environment, commit, settings.Backoff.Max, prefix + refusal.Message, [], PlanSummary.Empty),
        _ => new ReconcileOutcome.Retry(environment, commit, NextBackoff(environment), prefix + Describe(e)),
    };

    /// <summary>The stack trace of a fault: at debug level for faults of the outside world (the API server, the
    /// network), whose one-line outcome is logged anyway; as an error for anything else, which is a bug.</summary>
    private void LogFault(Exception e, string message, params object?[] args)
    {
        if (IsExpected(e))
        {
            log.LogDebug(e, message, args);
            return;
        }
        log.LogError(e, message, args);
    }

    private static bool IsExpected(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? IsExpected(a.InnerExceptions[0])
        : e is KubernetesApiException or StatusConflictException or HttpRequestException or IOException or TimeoutException;

    private static PlanSummary Summarize(Plan plan) => new(
        plan.Count(ActionKind.Create), plan.Count(ActionKind.Update), plan.Count(ActionKind.Unchanged), plan.Count(ActionKind.Delete));

    /// <summary>Objects whose spec did not change but whose cluster copy differs: edited by hand.</summary>
    public static int CountDrift(Plan plan) => plan.Actions.Count(IsDrift);

    private static bool IsDrift(PlanAction action) =>
        action.Action is ActionKind.Update or ActionKind.Unchanged
        && !action.Diff.IsDefaultOrEmpty
        && action.Desired is { } desired && action.Observed is { } observed
        && ObjectKeys.Annotation(desired, ManagedLabels.SpecHashAnnotation) == ObjectKeys.Annotation(observed, ManagedLabels.SpecHashAnnotation);

    private static string Describe(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? Describe(a.InnerExceptions[0])
        : IsExpected(e) ? e.Message
        : $"{e.GetType().Name}: {e.Message}";

    private static string Short(string? commit) => commit is null ? "nothing" : commit.Length > 12 ? commit[..12] : commit;
}
