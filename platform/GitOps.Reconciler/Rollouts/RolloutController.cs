using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Notifications;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Persistence;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Rollouts;

/// <summary>What the rollout step of a pass did for one environment.</summary>
/// <param name="Facts">The registry facts with each model's rollout state, for the renderer to draw.</param>
/// <param name="Summary">One line per model with a rollout policy (phase, versions, weight, step), for the status.</param>
/// <param name="NextCheck">When the rollouts need the next pass (a measurement or a pause is due, or pods are awaited); null when nothing is under way.</param>
public sealed record RolloutStepResult(RegistryFacts Facts, ImmutableArray<string> Summary, TimeSpan? NextCheck);

/// <summary>
/// The rollout step of a reconcile pass (run by the leader only, as the whole pass is): for each model of the
/// environment it loads the persisted <see cref="RolloutState"/>, applies the pending operator command, runs the
/// measurements the machine asks for against Prometheus, feeds the answers back and saves the new state before
/// anything is applied, so a reconciler killed at any point resumes at the same step and never counts a measurement
/// twice. The resulting states go into the registry facts the renderer draws from.
/// </summary>
public sealed class RolloutController(
    IRolloutStateStore store,
    RolloutMetrics metrics,
    TimeProvider time,
    ILogger log,
    Func<Uri, IMetricsQuery>? prometheus = null,
    DeployHistoryWriter? history = null)
{
    /// <summary>While a rollout is under way the pass runs at least this often: pods becoming ready wake a pass through the
    /// drift watch where one runs, and this is the safety net for a watch that is broken or not running.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Uri, IMetricsQuery> _clients = new();
    private readonly Func<Uri, IMetricsQuery> _prometheus = prometheus ?? PrometheusClient.For;

    /// <summary>Advances every rollout of <paramref name="env"/>; <paramref name="notifier"/> hears of automatic rollbacks.</summary>
    public async Task<RolloutStepResult> AdvanceAsync(SpecSet specs, EnvironmentSpec env, RegistryFacts facts,
        IReadOnlyList<JsonObject> observed, string commit, INotifier notifier, CancellationToken ct)
    {
        var scope = new RolloutScope(env.Name, env.Spec.Namespace);
        var summary = ImmutableArray.CreateBuilder<string>();
        TimeSpan? next = null;
        var served = specs.Models.Where(m => m.Spec.Environments.Contains(env.Name)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        metrics.Retain(env.Name, served.Select(m => m.Name).ToHashSet(StringComparer.Ordinal));
        foreach (var model in served)
        {
            var (state, wait) = await AdvanceModelAsync(specs, env, scope, model, facts, observed, commit, notifier, ct);
            if (state is null)
            {
                continue;
            }
            var deployed = facts.For(model.Name).In(env.Name);
            facts = facts.WithDeployment(model.Name, env.Name, deployed with { Rollout = state });
            summary.Add(Describe(model.Name, state));
            if (wait is { } w)
            {
                next = next is { } n && n < w ? n : w;
            }
        }
        return new RolloutStepResult(facts, summary.ToImmutable(), next);
    }

    private async Task<(RolloutState? State, TimeSpan? Wait)> AdvanceModelAsync(SpecSet specs, EnvironmentSpec env, RolloutScope scope,
        ModelSpec model, RegistryFacts facts, IReadOnlyList<JsonObject> observed, string commit, INotifier notifier, CancellationToken ct)
    {
        var effective = EffectiveModel.Of(model, env.Name);
        var policySpec = effective.Rollout is null ? null : specs.RolloutPolicy(effective.Rollout);
        var policy = policySpec is null ? RolloutPolicy.Direct : RolloutPolicy.From(policySpec, model);
        var version = ModelVersions.Compute(model, env);
        var modelFacts = facts.For(model.Name);
        var deployed = modelFacts.In(env.Name);

        var stored = await store.LoadAsync(scope, model.Name, ct);                                   // I/O
        var before = stored?.State ?? RolloutState.Initial with { Stable = deployed.StableVersion };
        // A version held back by admission (gates failed, or the registry not answering) is not rolled out.
        var trained = modelFacts.HeldBack(version) is null
            && (modelFacts.IsTrained(version) || before.Stable == version || before.Canary == version || deployed.StableVersion == version);
        var replicas = effective.Autoscaling?.MinReplicas ?? effective.Replicas;
        var routed = env.Spec.Router != TrafficRouters.Replicas;
        var pending = stored?.PendingCommands ?? [];
        var input = new RolloutInput
        {
            DesiredVersion = trained ? version : null,
            CanaryReady = CanaryReadiness.IsReady(observed, model.Name, before, policy, replicas, routed),
            StableReady = before.LiveOnCanary && CanaryReadiness.IsStableReady(observed, model.Name, before),
            Commands = [.. pending.Select(p => p.Command)],
        };
        var now = time.GetUtcNow();
        var first = RolloutMachine.Next(before, policy, input, now);                                  // pure
        var actions = new List<RolloutAction>(first.Actions);
        var state = first.State;
        var requests = first.Actions.OfType<MeasureRequest>().ToList();
        if (requests.Count > 0)
        {
            var client = env.Spec.Prometheus is { } target && Uri.TryCreate(target.Url, UriKind.Absolute, out var url)
                ? _clients.GetOrAdd(url, _prometheus)
                : null;
            var values = new QueryValues(model.Name, state.Canary ?? version, env.Spec.Namespace, RolloutMachine.CanaryTrack, env.Name);
            var observations = await AnalysisMeasurements.TakeAsync(requests, policy, client, values, now, ct); // I/O
            // Readiness again for the state the first step left (a rollout it started has no ready pods yet).
            var again = input with
            {
                Commands = [],
                Observations = observations,
                CanaryReady = CanaryReadiness.IsReady(observed, model.Name, state, policy, replicas, routed),
            };
            var second = RolloutMachine.Next(state, policy, again, now);                             // pure
            actions.AddRange(second.Actions.Where(a => a is not MeasureRequest));
            state = second.State;
        }

        // Nothing is stored for a model that serves nothing yet (no version trained): no ConfigMap per untrained model.
        var worthKeeping = stored is not null || state.Stable is not null || state.Canary is not null;
        if (worthKeeping && (stored is null || !pending.IsEmpty || RolloutStateJson.Serialize(state) != RolloutStateJson.Serialize(stored.State)))
        {
            try
            {
                // Every command read is applied (or refused) in this state: all of them are marked done with it.
                await store.SaveAsync(scope, model.Name, state, stored?.ResourceVersion, ct, pending.IsEmpty ? null : pending[^1].Id);  // I/O
            }
            catch (RolloutStateConflictException e)
            {
                // Someone else wrote (an operator's command, or a replica that just took over): nothing of this step
                // is kept, so nothing is counted twice; the next pass starts from what they wrote.
                log.LogWarning("{Environment}/{Model}: rollout state changed while this pass advanced it ({Error}); continuing next pass",
                    env.Name, model.Name, e.Message);
                return (stored?.State, MaxWait);
            }
        }

        await ReportAsync(env.Name, model.Name, commit, state, actions, notifier, ct);
        if (history is not null)
        {
            await history.AppendAsync(env, model.Name, commit, state, actions, now, ct);               // I/O
        }
        return (state, Wait(state, policy, now));
    }

    private async Task ReportAsync(string environment, string model, string commit, RolloutState state, List<RolloutAction> actions,
        INotifier notifier, CancellationToken ct)
    {
        metrics.SetState(environment, model, state.Phase, state.Weight);
        foreach (var action in actions)
        {
            switch (action)
            {
                case TransitionRecorded t:
                    log.LogInformation("{Environment}/{Model}: {Transition}{Actor}", environment, model, t.Event.Message,
                        t.Event.Actor is null ? "" : $" (by {t.Event.Actor})");
                    break;
                case MeasurementRecorded m:
                    metrics.Measured(environment, model, m.Measurement);
                    log.LogDebug("{Environment}/{Model}: {Metric} = {Value}: {Phase} ({Reason})", environment, model,
                        m.Measurement.Metric, m.Measurement.Value, m.Measurement.Phase, m.Measurement.Reason);
                    break;
                case AnalysisVerdictReached v:
                    metrics.Verdict(environment, model, v.Verdict);
                    break;
                case CommandRefused r:
                    log.LogWarning("{Environment}/{Model}: {Command} by {Actor} refused: {Reason}", environment, model,
                        r.Command.Kind, r.Command.Actor, r.Reason);
                    break;
                case RolledBack b:
                    metrics.RolledBack(environment, model);
                    await NotifyRollbackAsync(environment, model, commit, state, b, notifier, ct);
                    break;
            }
        }
    }

    /// <summary>An automatic rollback (not an operator's abort) is reported with the metric that failed and its measurements.</summary>
    private async Task NotifyRollbackAsync(string environment, string model, string commit, RolloutState state, RolledBack rollback,
        INotifier notifier, CancellationToken ct)
    {
        var byOperator = state.History.LastOrDefault(e => e.Kind == RolloutEventKind.RolledBack)?.Actor is not null;
        if (byOperator)
        {
            return;
        }
        var run = state.PastRuns.LastOrDefault(r => r.Phase is AnalysisPhase.Failed or AnalysisPhase.Error);
        var failed = run?.Measurements.LastOrDefault(m => m.Phase is MeasurementPhase.Failed or MeasurementPhase.Error);
        var metric = failed?.Metric ?? "progressDeadline";
        ImmutableArray<Measurement> measurements = run is null ? [] : [.. run.Measurements.Where(m => m.Metric == metric)];
        await notifier.NotifySafelyAsync(new AutomaticRollback(environment, commit, time.GetUtcNow(), model, rollback.Version,
            state.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), metric, rollback.Reason, measurements,
            $"gitops rollout retry --env {environment} --model {model}",
            $"gitops rollout abort --env {environment} --model {model}"), log, ct);
    }

    /// <summary>How soon the rollout needs another pass: the next measurement or the end of a pause, at most <see cref="MaxWait"/>.</summary>
    private TimeSpan? Wait(RolloutState state, RolloutPolicy policy, DateTimeOffset now)
    {
        if (!state.InProgress && state.PreviousStable is null && !state.LiveOnCanary)
        {
            return null;
        }
        var wait = MaxWait;
        if (state.ScaleDownAt is { } scaleDown)
        {
            wait = Min(wait, scaleDown - now);
        }
        foreach (var run in new[] { state.StepAnalysis, state.BackgroundAnalysis })
        {
            if (run is not null && AnalysisRuns.NextDue(run, policy.Metrics) is { } due)
            {
                wait = Min(wait, due - now);
            }
        }
        if (state.StepIndex < policy.Steps.Length && policy.Steps[state.StepIndex].Pause is { } pause && state.StepStartedAt is { } started)
        {
            wait = Min(wait, started + pause - now);
        }
        return wait;

        static TimeSpan Min(TimeSpan a, TimeSpan b) => b < a ? (b < TimeSpan.Zero ? TimeSpan.Zero : b) : a;
    }

    private static string Describe(string model, RolloutState state) => state switch
    {
        { Canary: { } canary, InProgress: true } =>
            $"{model}: {state.Phase} {canary} at {state.Weight}% (step {state.StepIndex + 1}), stable {state.Stable}"
            + (state.PauseReason is { } reason ? $"; {reason}" : ""),
        { Phase: RolloutPhase.Degraded, Canary: { } rejected } =>
            $"{model}: Degraded, {rejected} rolled back ({state.Rejected.LastOrDefault(r => r.Version == rejected)?.Reason}); stable {state.Stable}",
        _ => $"{model}: {state.Phase}, stable {state.Stable ?? "none yet"}",
    };
}
