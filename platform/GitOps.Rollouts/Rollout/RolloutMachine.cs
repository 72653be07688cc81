using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;

namespace GitOps.Rollouts.Rollout;

/// <summary>
/// The rollout state machine: <c>Next(state, policy, input, now) → (state', actions)</c>. Pure and deterministic:
/// the same arguments give the same transition, so a restarted reconciler that reloads the persisted state resumes
/// exactly. Decides which version is stable, which is the canary, at what weight, and when to measure, promote or
/// roll back; the renderer only draws objects for that decision.
/// </summary>
public static class RolloutMachine
{
    /// <summary>The <c>track</c> label of the new version's pods, used in analysis queries.</summary>
    public const string CanaryTrack = "canary";

    /// <summary>The <c>track</c> label of the stable version's pods.</summary>
    public const string StableTrack = "stable";

    public static RolloutTransition Next(RolloutState state, RolloutPolicy policy, RolloutInput input, DateTimeOffset now)
    {
        var pass = new Pass(state, policy, now);
        pass.ScaleDownPrevious();
        pass.ReturnToStable(input.StableReady);
        pass.FollowDesired(input.DesiredVersion);
        foreach (var (command, notApplied) in RolloutCommands.Arrange(input.Commands))
        {
            pass.Apply(command, notApplied);
        }
        pass.Record(input.Observations);
        // The readiness the shell observed is that of the state it passed in: when this pass started a rollout (a new
        // version, a supersede, a retry), it says nothing about the new canary's pods, which do not even exist yet.
        pass.Progress(input.CanaryReady && pass.State.Generation == state.Generation);
        pass.RequestMeasurements();
        return new RolloutTransition(pass.State, [.. pass.Actions]);
    }

    private sealed class Pass(RolloutState state, RolloutPolicy policy, DateTimeOffset now)
    {
        public RolloutState State { get; private set; } = state;
        public List<RolloutAction> Actions { get; } = [];

        /// <summary>The operator's command being applied, whose time the events it causes record.</summary>
        private RolloutCommand? _giving;

        private RolloutState S { get => State; set => State = value; }

        public void ScaleDownPrevious()
        {
            if (S.PreviousStable is { } previous && (S.ScaleDownAt is not { } at || at <= now))
            {
                S = S with { PreviousStable = null, ScaleDownAt = null };
                Event(RolloutEventKind.ScaledDown, $"previous version {previous} scaled down after scaleDownDelay");
            }
        }

        /// <summary>blueGreen after the scale-down of the previous version: once the stable Deployment runs the stable
        /// version, ready, live traffic goes back to it and the canary Deployment is removed.</summary>
        public void ReturnToStable(bool stableReady)
        {
            if (S.LiveOnCanary && S.PreviousStable is null && stableReady)
            {
                S = S with { LiveOnCanary = false };
                Event(RolloutEventKind.ScaledDown, $"traffic moved to the stable Deployment, now running {S.Stable}; the canary Deployment is removed");
            }
        }

        public void FollowDesired(string? desired)
        {
            if (desired is null || desired == S.Canary && S.Canary is not null)
            {
                return;
            }
            // blueGreen right after a switch, the canary Deployment serves live traffic: a newer version waits until
            // traffic is back on the stable Deployment (scaleDownDelay, then its readiness) rather than take it over.
            if (S.LiveOnCanary && desired != S.Stable && policy.Strategy != RolloutStrategy.Direct)
            {
                return;
            }
            if (S.Stable is null)
            {
                S = S with { Stable = desired, Phase = RolloutPhase.Healthy };
                Event(RolloutEventKind.Deployed, $"version {desired} deployed (first version in this environment)");
                return;
            }
            if (desired == S.Stable)
            {
                if (S.Canary is { } canary)
                {
                    var wasRunning = S.InProgress;
                    EndCanary();
                    if (wasRunning)
                    {
                        Event(RolloutEventKind.Superseded, $"rollout of {canary} stopped: Git asks for the stable version {desired} again");
                    }
                }
                return;
            }
            if (S.IsRejected(desired))
            {
                var running = S.InProgress ? S.Canary : null;
                ArchiveRuns();
                S = Cleared(S) with { Canary = desired, Phase = RolloutPhase.Degraded };
                var rejection = S.Rejected.Last(r => r.Version == desired);
                Event(RolloutEventKind.RolledBack,
                    (running is null ? "" : $"rollout of {running} stopped; ")
                    + $"version {desired} was rejected at {rejection.At:u} ({rejection.Reason}) and gets no traffic until its inputs change");
                return;
            }
            if (policy.Strategy == RolloutStrategy.Direct)
            {
                var previous = S.Stable;
                ArchiveRuns();
                S = Cleared(S) with { Stable = desired, Canary = null, Phase = RolloutPhase.Healthy, PreviousStable = null, ScaleDownAt = null, LiveOnCanary = false };
                Event(RolloutEventKind.Promoted, $"version {desired} replaced {previous} at once (strategy direct)");
                return;
            }
            if (S.InProgress && S.Canary is { } superseded)
            {
                Event(RolloutEventKind.Superseded, $"canary {superseded} superseded by the newer version {desired}");
            }
            StartRollout(desired);
        }

        /// <summary>Applies an operator's command, or records why it is not applied (<paramref name="notApplied"/>, or a
        /// refusal by the state). Either way the history says who gave it and when.</summary>
        public void Apply(RolloutCommand command, string? notApplied = null)
        {
            _giving = command;
            try
            {
                ApplyGiven(command, notApplied);
            }
            finally
            {
                _giving = null;
            }
        }

        private void ApplyGiven(RolloutCommand command, string? notApplied)
        {
            if ((notApplied ?? RolloutCommands.Refusal(S, command.Kind)) is { } refusal)
            {
                Actions.Add(new CommandRefused(command, refusal));
                Event(RolloutEventKind.CommandRefused, $"{RolloutCommands.Name(command.Kind)} refused: {refusal}", command.Actor);
                return;
            }
            switch (command.Kind)
            {
                case RolloutCommandKind.Promote:
                    Promote(command.Actor);
                    break;
                case RolloutCommandKind.PromoteFull:
                    ArchiveRuns();
                    S = S with { Phase = RolloutPhase.Progressing, PauseReason = null, StepIndex = policy.Steps.Length, StepStartedAt = now, BackgroundAccepted = true };
                    Event(RolloutEventKind.Resumed, $"promoted fully: remaining steps and analysis skipped for {S.Canary}", command.Actor);
                    break;
                case RolloutCommandKind.Abort when S.InProgress:
                    Rollback($"aborted by {command.Actor}", command.Actor);
                    break;
                case RolloutCommandKind.Abort:
                    SwitchBack(command.Actor);
                    break;
                case RolloutCommandKind.Retry:
                    var version = S.Canary!;
                    S = S with { Rejected = [.. S.Rejected.Where(r => r.Version != version)] };
                    Event(RolloutEventKind.Retried, $"rollout of {version} retried from the first step", command.Actor);
                    StartRollout(version);
                    break;
            }
        }

        public void Record(ImmutableArray<RunObservation> observations)
        {
            foreach (var o in observations)
            {
                if (!policy.Metrics.TryGetValue(o.Metric, out var metric))
                {
                    continue;
                }
                var measurement = MeasurementAssessor.Assess(metric, o.Observation, o.At);
                if (S.StepAnalysis is { } step && step.Id == o.RunId)
                {
                    S = S with { StepAnalysis = AnalysisRuns.Record(step, policy.Metrics, measurement, out var accepted) };
                    Counted(accepted, o.RunId, measurement);
                }
                else if (S.BackgroundAnalysis is { } background && background.Id == o.RunId)
                {
                    S = S with { BackgroundAnalysis = AnalysisRuns.Record(background, policy.Metrics, measurement, out var accepted) };
                    Counted(accepted, o.RunId, measurement);
                }
            }
        }

        public void Progress(bool canaryReady)
        {
            if (!S.InProgress || S.Canary is null)
            {
                return;
            }
            if (!Background())
            {
                return;
            }
            for (var guard = 0; guard <= policy.Steps.Length + 1 && S.Phase == RolloutPhase.Progressing; guard++)
            {
                if (S.StepIndex >= policy.Steps.Length)
                {
                    Finish(canaryReady);
                    return;
                }
                if (!Execute(policy.Steps[S.StepIndex], canaryReady))
                {
                    return;
                }
                var done = policy.Steps[S.StepIndex];
                ArchiveStepRun();
                S = S with { StepIndex = S.StepIndex + 1, StepStartedAt = now };
                Event(RolloutEventKind.StepCompleted, $"step {S.StepIndex}/{policy.Steps.Length} ({done}) completed");
            }
        }

        public void RequestMeasurements()
        {
            if (!S.InProgress || S.Canary is not { } canary)
            {
                return;
            }
            foreach (var run in new[] { S.StepAnalysis, S.BackgroundAnalysis })
            {
                if (run is null)
                {
                    continue;
                }
                foreach (var metric in AnalysisRuns.Due(run, policy.Metrics, now))
                {
                    Actions.Add(new MeasureRequest(run.Id, metric, canary, CanaryTrack));
                }
            }
        }

        /// <summary>Starts and judges the background analysis; false when the rollout must not advance.</summary>
        private bool Background()
        {
            var wanted = !policy.BackgroundAnalysis.IsEmpty && !S.BackgroundAccepted
                && (policy.Strategy == RolloutStrategy.BlueGreen || S.StepIndex >= policy.BackgroundStartingStep);
            if (wanted && S.BackgroundAnalysis is null)
            {
                S = S with { BackgroundAnalysis = AnalysisRuns.Start($"{S.Generation}-background", policy.BackgroundAnalysis, now) };
            }
            if (S.BackgroundAnalysis is not { } run)
            {
                return S.Phase == RolloutPhase.Progressing;
            }
            var judged = Judge(run);
            S = S with { BackgroundAnalysis = judged };
            if (run.Phase.IsCompleted() || !judged.Phase.IsCompleted())
            {
                return S.Phase == RolloutPhase.Progressing;
            }
            switch (judged.Phase)
            {
                case AnalysisPhase.Failed or AnalysisPhase.Error:
                    Fail("background analysis", judged);
                    return false;
                case AnalysisPhase.Inconclusive:
                    return Inconclusive("background analysis", judged, () => S = S with { BackgroundAccepted = true });
                default:
                    return S.Phase == RolloutPhase.Progressing;
            }
        }

        /// <summary>Carries out a step; true when it is complete.</summary>
        private bool Execute(CanaryStep step, bool canaryReady)
        {
            if (step.SetWeight is { } weight)
            {
                if (!canaryReady)
                {
                    WaitForReady();
                    return false;
                }
                S = S with { Weight = weight, WaitingForReadySince = null };
                return true;
            }
            if (step.Pause is { } pause)
            {
                return S.StepStartedAt is { } started && now >= started + pause;
            }
            if (step.PauseUntilPromoted)
            {
                Pause($"step {S.StepIndex + 1}/{policy.Steps.Length}: paused until 'gitops rollout promote'");
                return false;
            }
            if (step.Analysis is { } templates)
            {
                var id = $"{S.Generation}-step-{S.StepIndex + 1}";
                var run = S.StepAnalysis is { } current && current.Id == id ? current : AnalysisRuns.Start(id, templates, now);
                var judged = Judge(run);
                S = S with { StepAnalysis = judged };
                return judged.Phase switch
                {
                    AnalysisPhase.Successful => true,
                    AnalysisPhase.Failed or AnalysisPhase.Error => Fail($"analysis of step {S.StepIndex + 1}", judged),
                    AnalysisPhase.Inconclusive => Inconclusive($"analysis of step {S.StepIndex + 1}", judged, () => { }),
                    _ => false,
                };
            }
            if (step.SetHeaderRoute is { } route)
            {
                S = S with { HeaderRoute = route };
                return true;
            }
            if (step.Mirror is { } mirror)
            {
                S = S with { Mirror = mirror };
                return true;
            }
            return true;
        }

        private void Finish(bool canaryReady)
        {
            if (!canaryReady)
            {
                WaitForReady();
                return;
            }
            if (policy.Strategy == RolloutStrategy.BlueGreen && !policy.BackgroundAnalysis.IsEmpty && !S.BackgroundAccepted
                && S.BackgroundAnalysis is not { Phase: AnalysisPhase.Successful })
            {
                return;
            }
            var previous = S.Stable;
            var version = S.Canary!;
            ArchiveRuns();
            var blueGreen = policy.Strategy == RolloutStrategy.BlueGreen;
            var keep = blueGreen && policy.ScaleDownDelay > TimeSpan.Zero;
            S = Cleared(S) with
            {
                Stable = version,
                Canary = null,
                Phase = RolloutPhase.Healthy,
                PreviousStable = keep ? previous : null,
                ScaleDownAt = keep ? now + policy.ScaleDownDelay : null,
                // The switch moves live traffic to the pods that ran the preview; no Deployment changes.
                LiveOnCanary = blueGreen,
            };
            Event(RolloutEventKind.Promoted, policy.Strategy == RolloutStrategy.BlueGreen
                ? $"all traffic switched to {version}; {previous} kept {(keep ? $"until {now + policy.ScaleDownDelay:u} for an instant rollback" : "no longer")}"
                : $"version {version} promoted to stable (was {previous})");
        }

        private void Promote(string actor)
        {
            if (S.Phase == RolloutPhase.Paused)
            {
                if (S.BackgroundAnalysis is { Phase: not AnalysisPhase.Running and not AnalysisPhase.Successful })
                {
                    ArchiveBackground();
                    S = S with { BackgroundAccepted = true };
                }
                var step = S.StepIndex < policy.Steps.Length ? policy.Steps[S.StepIndex] : null;
                var stepWaits = step is { PauseUntilPromoted: true }
                    || step?.Analysis is not null && S.StepAnalysis is { Phase: not AnalysisPhase.Running };
                S = S with { Phase = RolloutPhase.Progressing, PauseReason = null };
                if (stepWaits)
                {
                    SkipStep();
                }
                Event(RolloutEventKind.Resumed, $"rollout of {S.Canary} resumed", actor);
                return;
            }
            if (S.StepIndex < policy.Steps.Length)
            {
                var skipped = policy.Steps[S.StepIndex];
                SkipStep();
                Event(RolloutEventKind.Resumed, $"step {S.StepIndex}/{policy.Steps.Length} ({skipped}) skipped", actor);
            }
        }

        private void SkipStep()
        {
            if (policy.Steps[S.StepIndex].SetWeight is { } weight)
            {
                S = S with { Weight = weight };
            }
            else if (policy.Steps[S.StepIndex].SetHeaderRoute is { } route)
            {
                S = S with { HeaderRoute = route };
            }
            else if (policy.Steps[S.StepIndex].Mirror is { } mirror)
            {
                S = S with { Mirror = mirror };
            }
            ArchiveStepRun();
            S = S with { StepIndex = S.StepIndex + 1, StepStartedAt = now };
        }

        private AnalysisRun Judge(AnalysisRun run)
        {
            var judged = AnalysisRuns.Evaluate(run, policy.Metrics, now);
            if (!run.Phase.IsCompleted() && judged.Phase.IsCompleted())
            {
                Actions.Add(new AnalysisVerdictReached(judged.Id, judged.Phase, judged.Reason));
                Event(RolloutEventKind.AnalysisCompleted, $"analysis {judged.Id}: {judged.Phase} — {judged.Reason}");
            }
            return judged;
        }

        private bool Fail(string what, AnalysisRun run)
        {
            if (policy.AutomaticRollback)
            {
                Rollback($"{what} {run.Phase}: {run.Reason}");
            }
            else
            {
                Pause($"{what} {run.Phase}: {run.Reason}; automaticRollback is off: run 'gitops rollout abort' to roll back or 'promote' to continue");
            }
            return false;
        }

        private bool Inconclusive(string what, AnalysisRun run, Action accept)
        {
            switch (policy.OnInconclusive)
            {
                case InconclusiveAction.Abort:
                    Rollback($"{what} Inconclusive (onInconclusive: abort): {run.Reason}");
                    return false;
                case InconclusiveAction.Promote:
                    accept();
                    return true;
                default:
                    Pause($"{what} Inconclusive: {run.Reason}; run 'gitops rollout promote' to continue or 'abort' to roll back");
                    return false;
            }
        }

        private void WaitForReady()
        {
            var since = S.WaitingForReadySince ?? now;
            S = S with { WaitingForReadySince = since };
            if (now - since >= policy.ProgressDeadline)
            {
                Rollback($"the pods of {S.Canary} were not ready within progressDeadline {policy.ProgressDeadline}");
            }
        }

        private void Pause(string reason)
        {
            S = S with { Phase = RolloutPhase.Paused, PauseReason = reason };
            Event(RolloutEventKind.Paused, reason);
        }

        private void Rollback(string reason, string? actor = null)
        {
            var version = S.Canary!;
            ArchiveRuns();
            var rejected = S.Rejected.Where(r => r.Version != version).Append(new RejectedVersion(version, now, reason));
            S = Cleared(S) with { Phase = RolloutPhase.Degraded, Rejected = [.. rejected.TakeLast(RolloutState.MaxRejected)] };
            Actions.Add(new RolledBack(version, reason));
            Event(RolloutEventKind.RolledBack,
                $"rolled back {version}: {reason}; all traffic back to {S.Stable}; {version} is rejected until its inputs change", actor);
        }

        /// <summary>blueGreen within scaleDownDelay: the previous version is still running, so traffic goes back to it at once.</summary>
        private void SwitchBack(string actor)
        {
            var version = S.Stable!;
            var previous = S.PreviousStable!;
            var reason = $"aborted by {actor} after the switch";
            var rejected = S.Rejected.Where(r => r.Version != version).Append(new RejectedVersion(version, now, reason));
            S = Cleared(S) with
            {
                Stable = previous,
                Canary = version,
                PreviousStable = null,
                ScaleDownAt = null,
                LiveOnCanary = false,
                Phase = RolloutPhase.Degraded,
                Rejected = [.. rejected.TakeLast(RolloutState.MaxRejected)],
            };
            Actions.Add(new RolledBack(version, reason));
            Event(RolloutEventKind.RolledBack, $"all traffic switched back to {previous}; {version} is rejected until its inputs change", actor);
        }

        private void StartRollout(string version)
        {
            ArchiveRuns();
            S = Cleared(S) with
            {
                Canary = version,
                Phase = RolloutPhase.Progressing,
                Generation = S.Generation + 1,
                StepIndex = 0,
                StepStartedAt = now,
                RolloutStartedAt = now,
                BackgroundAccepted = false,
                PreviousStable = null,
                ScaleDownAt = null,
            };
            Event(RolloutEventKind.Started,
                $"rollout of {version} started ({Name(policy.Strategy)}, {policy.Steps.Length} step(s)); stable is {S.Stable}");
        }

        private void EndCanary()
        {
            ArchiveRuns();
            S = Cleared(S) with { Canary = null, Phase = RolloutPhase.Healthy };
        }

        private static RolloutState Cleared(RolloutState s) => s with
        {
            Weight = 0,
            HeaderRoute = null,
            Mirror = 0,
            WaitingForReadySince = null,
            PauseReason = null,
            StepAnalysis = null,
            BackgroundAnalysis = null,
        };

        private void ArchiveRuns()
        {
            ArchiveStepRun();
            ArchiveBackground();
        }

        private void ArchiveStepRun()
        {
            if (S.StepAnalysis is { } run)
            {
                S = S with { StepAnalysis = null, PastRuns = [.. S.PastRuns.Append(run).TakeLast(RolloutState.MaxPastRuns)] };
            }
        }

        private void ArchiveBackground()
        {
            if (S.BackgroundAnalysis is { } run)
            {
                S = S with { BackgroundAnalysis = null, PastRuns = [.. S.PastRuns.Append(run).TakeLast(RolloutState.MaxPastRuns)] };
            }
        }

        private void Counted(bool accepted, string runId, Measurement measurement)
        {
            if (accepted)
            {
                Actions.Add(new MeasurementRecorded(runId, measurement));
            }
        }

        private void Event(RolloutEventKind kind, string message, string? actor = null)
        {
            var e = new RolloutEvent(now, kind, message, actor, actor is not null && _giving?.Actor == actor ? _giving.At : null);
            S = S with { History = [.. S.History.Append(e).TakeLast(RolloutState.MaxHistory)] };
            Actions.Add(new TransitionRecorded(e));
        }

        private static string Name(RolloutStrategy strategy) => strategy switch
        {
            RolloutStrategy.BlueGreen => "blueGreen",
            _ => strategy.ToString().ToLowerInvariant(),
        };
    }
}
