using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// What one reconcile pass did for one environment. Terminal and transient results are distinct types:
/// <see cref="Stalled"/> waits for a new commit, <see cref="Retry"/> is tried again after <see cref="Retry.After"/>.
/// </summary>
public abstract record ReconcileOutcome(string Environment, string? Commit)
{
    /// <summary>The name used in status, logs and the <c>outcome</c> metric label.</summary>
    public abstract string Name { get; }

    /// <summary>Trained versions held back from serving (rejected by their gates, or waiting for the registry), one line each.</summary>
    public ImmutableArray<string> Held { get; init; } = [];

    /// <summary>Training Jobs that failed or cannot start, one line each with the reason and the termination message's end.</summary>
    public ImmutableArray<string> Training { get; init; } = [];

    /// <summary>
    /// The cluster now matches <paramref name="Commit"/>: objects were created, updated or pruned.
    /// <paramref name="Changes"/> has one line per changed object (<c>Update Deployment/ns/name: reason</c>).
    /// </summary>
    public sealed record Applied(string Environment, string Commit, PlanSummary Plan, int DriftHealed, ImmutableArray<string> Changes)
        : ReconcileOutcome(Environment, Commit)
    {
        public override string Name => "Applied";
    }

    /// <summary>
    /// Nothing to do: the cluster already matches <paramref name="Commit"/>. <paramref name="Drift"/> counts objects
    /// edited by hand that were left alone because the environment does not enable self-heal.
    /// </summary>
    public sealed record NoChange(string Environment, string Commit, PlanSummary Plan, int Drift)
        : ReconcileOutcome(Environment, Commit)
    {
        public override string Name => "NoChange";
    }

    /// <summary>
    /// <paramref name="Commit"/> cannot be applied as it is (validation or render errors): nothing was changed, the
    /// environment keeps <paramref name="LastGoodCommit"/>, and the commit is not tried again until Git moves.
    /// </summary>
    public sealed record Stalled(
        string Environment,
        string Commit,
        string? LastGoodCommit,
        string Reason,
        ImmutableArray<Diagnostic> Diagnostics)
        : ReconcileOutcome(Environment, Commit)
    {
        public override string Name => "Stalled";

        /// <summary>The environment asked for is not one this reconciler can converge at <see cref="ReconcileOutcome.Commit"/>
        /// (the commit does not define it, or it runs on this machine and <c>gitops up</c> serves it): a mistake in
        /// how the reconciler was started rather than in the commit. No status was read or written for it.</summary>
        public bool OutOfReach { get; init; }
    }

    /// <summary>A transient fault (Git or cluster unreachable, a conflict): the pass is tried again after <paramref name="After"/>.</summary>
    public sealed record Retry(string Environment, string? Commit, TimeSpan After, string Reason)
        : ReconcileOutcome(Environment, Commit)
    {
        public override string Name => "Retry";
    }

    /// <summary>
    /// The API server refused what the pass needed: Forbidden, Unauthorized, a kind it does not serve, an object it
    /// finds invalid. Retrying in seconds cannot help (a person fixes RBAC, credentials, CRDs or the spec), so it is
    /// tried again after <paramref name="After"/>, the long backoff. <paramref name="Objects"/> lists each refused
    /// object with its model; every other model's objects were applied (<paramref name="Plan"/>).
    /// </summary>
    public sealed record Refused(
        string Environment,
        string? Commit,
        TimeSpan After,
        string Reason,
        ImmutableArray<ObjectRefusal> Objects,
        PlanSummary Plan)
        : ReconcileOutcome(Environment, Commit)
    {
        public override string Name => "Refused";
    }

    /// <summary>True for outcomes that leave the environment converged (<see cref="Applied"/> or <see cref="NoChange"/>).</summary>
    public bool IsSuccess => this is Applied or NoChange;
}

/// <summary>One object the API server refused, the model it belongs to (null for shared objects) and why, in one line.</summary>
public sealed record ObjectRefusal(string Object, string? Model, string Message)
{
    public override string ToString() => Model is null ? Message : $"{Message} (model {Model})";
}

/// <summary>Counts of a plan's actions, as persisted in status and printed by <c>gitops reconcile</c>.</summary>
public sealed record PlanSummary(int Create, int Update, int Unchanged, int Delete)
{
    public static readonly PlanSummary Empty = new(0, 0, 0, 0);

    public int Changes => Create + Update + Delete;

    public override string ToString() => $"create={Create} update={Update} delete={Delete} unchanged={Unchanged}";
}
