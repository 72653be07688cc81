using System.Collections.Immutable;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Metrics;
using GitOps.Specs;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Loop;

/// <summary>Settings of <see cref="ReconcileLoop"/>.</summary>
public sealed record ReconcileLoopSettings
{
    /// <summary>Environments this reconciler converges.</summary>
    public required ImmutableArray<string> Environments { get; init; }

    /// <summary>Time between passes of a converged (or stalled) environment: Git is polled and drift is looked for.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After a stop is asked for (SIGTERM), how long the pass in flight may take to finish before it is cancelled.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A pass running longer than this is stuck: the leader gives its Lease up so a standby takes over.</summary>
    public TimeSpan PassTimeout { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Schedules <see cref="ReconcilePass"/>es while this replica leads: each environment on its interval, all of
/// them at once when the <see cref="ReconcileTrigger"/> fires for a webhook, one environment when its managed objects
/// were changed by hand (<see cref="DriftWatch"/>), a retried environment after its backoff. A stalled environment is
/// still polled, and the pass does no work until the commit changes. Stopping lets the pass in flight finish (within
/// <see cref="ReconcileLoopSettings.ShutdownTimeout"/>) before leadership is given up.
/// </summary>
public sealed class ReconcileLoop(
    ReconcilePass pass,
    ILeaderElector leader,
    ReconcileTrigger trigger,
    ReconcilerMetrics metrics,
    ReconcilerHealth health,
    TimeProvider time,
    ReconcileLoopSettings settings,
    ILogger<ReconcileLoop> log,
    DriftWatch? drift = null)
{
    /// <summary>Wait after a pass failed in a way the pass itself did not turn into an outcome.</summary>
    public static readonly TimeSpan UnexpectedFaultDelay = TimeSpan.FromSeconds(30);

    private long _passes;
    private volatile bool _leading;

    /// <summary>Passes run since start (each covers one or more environments).</summary>
    public long PassCount => Interlocked.Read(ref _passes);

    /// <summary>Whether a pass is running, and for how long; read by the elector and <c>/healthz</c>.</summary>
    public LeaderWatchdog Watchdog { get; } = new(time, settings.PassTimeout);

    /// <summary>
    /// Runs until <paramref name="ct"/> is cancelled: campaigns for leadership and reconciles while leading. On
    /// cancellation no new pass starts; the pass in flight finishes (or is cancelled after the shutdown timeout),
    /// then leadership is released.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        health.MarkStarted();
        metrics.SetLeader(false);
        log.LogInformation("Reconciler {Identity} started for {Environments}, every {Interval}",
            leader.Identity, string.Join(", ", settings.Environments), Durations.Format(settings.Interval));
        // The elector keeps renewing the Lease while the last pass finishes; it stops campaigning only then.
        using var campaign = new CancellationTokenSource();
        using var stopping = ct.Register(() =>
        {
            if (_leading)
            {
                campaign.CancelAfter(settings.ShutdownTimeout + settings.ShutdownTimeout / 2);
            }
            else
            {
                campaign.Cancel();
            }
        });
        try
        {
            await leader.RunAsync(async leading =>
            {
                _leading = true;
                log.LogInformation("{Identity} is the leader", leader.Identity);
                metrics.SetLeader(true);
                try
                {
                    await LeadAsync(leading, ct);
                }
                catch (OperationCanceledException) when (leading.IsCancellationRequested)
                {
                }
                finally
                {
                    _leading = false;
                    metrics.SetLeader(false);
                    if (drift is not null)
                    {
                        await drift.StopAsync();
                    }
                    if (ct.IsCancellationRequested)
                    {
                        await campaign.CancelAsync();
                    }
                    log.LogInformation("{Identity} stopped leading", leader.Identity);
                }
            }, Watchdog, campaign.Token);
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

    private async Task LeadAsync(CancellationToken leading, CancellationToken stopping)
    {
        // Passes run on their own token: a stop request lets the one in flight finish, within the shutdown timeout.
        using var passes = CancellationTokenSource.CreateLinkedTokenSource(leading);
        using var grace = stopping.Register(() => _ = CancelAfterAsync(passes, settings.ShutdownTimeout));
        using var stuck = leading.Register(() =>
        {
            if (Watchdog.IsStuck)
            {
                log.LogError("Pass stuck for {Busy} (limit {Limit}, --pass-timeout): giving up the Lease so another replica takes over",
                    Durations.Format(Watchdog.BusyFor ?? TimeSpan.Zero), Durations.Format(Watchdog.Bound));
            }
        });
        var due = settings.Environments.ToDictionary(e => e, _ => DateTimeOffset.MinValue, StringComparer.Ordinal);
        while (!stopping.IsCancellationRequested && !leading.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var triggered = trigger.TryTake(out var reason, out var asked);
            IReadOnlyList<string> run = [.. settings.Environments.Where(e => due[e] <= now || triggered && (asked is null || asked.Contains(e)))];
            if (run.Count > 0)
            {
                if (reason.Length > 0)
                {
                    log.LogInformation("Pass triggered by {Reason}", reason);
                }
                Interlocked.Increment(ref _passes);
                Watchdog.Busy();
                try
                {
                    var outcomes = await pass.RunAsync(run, passes.Token);
                    var finished = time.GetUtcNow();
                    foreach (var outcome in outcomes)
                    {
                        var after = NextAfter(outcome, settings.Interval);
                        // A rollout under way is looked at again when its next measurement or pause end is due.
                        if (pass.RolloutWait(outcome.Environment) is { } rollout && rollout < after)
                        {
                            after = rollout;
                        }
                        // A version waiting for its promotion soak is looked at again when the soak ends.
                        if (pass.ReadyWait(outcome.Environment, finished) is { } ready && ready < after)
                        {
                            after = ready;
                        }
                        due[outcome.Environment] = finished + after;
                    }
                    FollowDrift(run);
                }
                catch (OperationCanceledException) when (passes.IsCancellationRequested)
                {
                    if (stopping.IsCancellationRequested && !leading.IsCancellationRequested)
                    {
                        log.LogWarning("Stopping: the pass in flight did not finish within {Timeout} (--shutdown-timeout) and was cancelled; "
                            + "the next leader picks it up", Durations.Format(settings.ShutdownTimeout));
                    }
                    return;
                }
                catch (Exception e) when (!leading.IsCancellationRequested)
                {
                    // The pass turns faults into Retry outcomes; reaching here is a bug. Keep leading, try again later.
                    log.LogError(e, "Reconcile pass failed unexpectedly");
                    foreach (var environment in run)
                    {
                        due[environment] = time.GetUtcNow() + UnexpectedFaultDelay;
                    }
                }
                finally
                {
                    Watchdog.Done();
                }
            }
            var wait = due.Values.Min() - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await WaitAsync(wait, leading, stopping);
            }
        }
    }

    private void FollowDrift(IReadOnlyList<string> environments)
    {
        if (drift is null)
        {
            return;
        }
        foreach (var environment in environments)
        {
            if (pass.NamespaceOf(environment) is { } @namespace)
            {
                drift.Follow(environment, @namespace);
            }
        }
    }

    /// <summary>Cancels the passes once the shutdown timeout has passed (the timer exists only after a stop request).</summary>
    private async Task CancelAfterAsync(CancellationTokenSource passes, TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, time, passes.Token);
            await passes.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The passes ended (or were cancelled) first.
        }
    }

    /// <summary>When an environment is looked at again after <paramref name="outcome"/>. Pure.</summary>
    public static TimeSpan NextAfter(ReconcileOutcome outcome, TimeSpan interval) => outcome switch
    {
        ReconcileOutcome.Retry r => r.After,
        ReconcileOutcome.Refused r => r.After,
        _ => interval,
    };

    /// <summary>Waits <paramref name="wait"/>, or until a trigger or a stop; never throws for a stop.</summary>
    private async Task WaitAsync(TimeSpan wait, CancellationToken leading, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(leading, stopping);
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
    }
}
