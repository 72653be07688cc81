using System.Collections.Immutable;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Metrics;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Loop;

/// <summary>Settings of <see cref="ReconcileLoop"/>.</summary>
public sealed record ReconcileLoopSettings
{
    /// <summary>Environments this reconciler converges.</summary>
    public required ImmutableArray<string> Environments { get; init; }

    /// <summary>Time between passes of a converged (or stalled) environment: Git is polled and drift is looked for.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Schedules <see cref="ReconcilePass"/>es while this replica leads: each environment on its interval, all of
/// them at once when the <see cref="ReconcileTrigger"/> fires (a webhook), a retried environment after its
/// backoff. A stalled environment is still polled, and the pass does no work until the commit changes.
/// </summary>
public sealed class ReconcileLoop(
    ReconcilePass pass,
    ILeaderElector leader,
    ReconcileTrigger trigger,
    ReconcilerMetrics metrics,
    ReconcilerHealth health,
    TimeProvider time,
    ReconcileLoopSettings settings,
    ILogger<ReconcileLoop> log)
{
    /// <summary>Wait after a pass failed in a way the pass itself did not turn into an outcome.</summary>
    public static readonly TimeSpan UnexpectedFaultDelay = TimeSpan.FromSeconds(30);

    private long _passes;

    /// <summary>Passes run since start (each covers one or more environments).</summary>
    public long PassCount => Interlocked.Read(ref _passes);

    /// <summary>Runs until <paramref name="ct"/> is cancelled: campaigns for leadership and reconciles while leading.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        health.MarkStarted();
        metrics.SetLeader(false);
        log.LogInformation("Reconciler {Identity} started for {Environments}, every {Interval}",
            leader.Identity, string.Join(", ", settings.Environments), settings.Interval);
        try
        {
            await leader.RunAsync(async leading =>
            {
                log.LogInformation("{Identity} is the leader", leader.Identity);
                metrics.SetLeader(true);
                try
                {
                    await LeadAsync(leading);
                }
                catch (OperationCanceledException) when (leading.IsCancellationRequested)
                {
                }
                finally
                {
                    metrics.SetLeader(false);
                    log.LogInformation("{Identity} stopped leading", leader.Identity);
                }
            }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            health.MarkFaulted($"{e.GetType().Name}: {e.Message}");
            log.LogError(e, "Reconcile loop stopped");
            throw;
        }
    }

    /// <summary>One pass over every environment, without leader election (<c>gitops reconcile --once</c>).</summary>
    public async Task<ImmutableArray<ReconcileOutcome>> RunOnceAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _passes);
        return await pass.RunAsync(settings.Environments, ct);
    }

    private async Task LeadAsync(CancellationToken ct)
    {
        var due = settings.Environments.ToDictionary(e => e, _ => DateTimeOffset.MinValue, StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            IReadOnlyList<string> run = trigger.TryTake(out var reason)
                ? settings.Environments
                : [.. settings.Environments.Where(e => due[e] <= now)];
            if (run.Count > 0)
            {
                if (reason.Length > 0)
                {
                    log.LogInformation("Pass triggered by {Reason}", reason);
                }
                Interlocked.Increment(ref _passes);
                try
                {
                    var outcomes = await pass.RunAsync(run, ct);
                    var finished = time.GetUtcNow();
                    foreach (var outcome in outcomes)
                    {
                        due[outcome.Environment] = finished + NextAfter(outcome, settings.Interval);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // The pass turns faults into Retry outcomes; reaching here is a bug. Keep leading, try again later.
                    log.LogError(e, "Reconcile pass failed unexpectedly");
                    foreach (var environment in run)
                    {
                        due[environment] = time.GetUtcNow() + UnexpectedFaultDelay;
                    }
                }
            }
            var wait = due.Values.Min() - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await WaitAsync(wait, ct);
            }
        }
    }

    /// <summary>When an environment is looked at again after <paramref name="outcome"/>. Pure.</summary>
    public static TimeSpan NextAfter(ReconcileOutcome outcome, TimeSpan interval) => outcome switch
    {
        ReconcileOutcome.Retry r => r.After,
        ReconcileOutcome.Refused r => r.After,
        _ => interval,
    };

    private async Task WaitAsync(TimeSpan wait, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(wait, time, linked.Token);
        var triggered = trigger.WaitAsync(linked.Token);
        await Task.WhenAny(delay, triggered);
        await linked.CancelAsync();
        try
        {
            await Task.WhenAll(delay, triggered);
        }
        catch (OperationCanceledException)
        {
        }
        ct.ThrowIfCancellationRequested();
    }
}
