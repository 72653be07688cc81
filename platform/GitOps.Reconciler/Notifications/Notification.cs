using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;

namespace GitOps.Reconciler.Notifications;

/// <summary>Something the reconciler did in <paramref name="Environment"/> at <paramref name="Commit"/> (a full Git SHA).</summary>
public abstract record Notification(string Environment, string Commit, DateTimeOffset At)
{
    /// <summary>A stable key: the same event (re-sent after a restart) has the same key, so receivers deduplicate on it.</summary>
    public abstract string Key { get; }
}

/// <summary>The environment now matches <paramref name="Commit"/>; <paramref name="Summary"/> says what changed, in one line.</summary>
public sealed record EnvironmentApplied(string Environment, string Commit, DateTimeOffset At, string Summary)
    : Notification(Environment, Commit, At)
{
    public override string Key => $"applied/{Environment}/{Commit}";
}

/// <summary>
/// <paramref name="Commit"/> cannot be applied to the environment (<paramref name="Reason"/>: validation or render errors,
/// an undefined environment); the environment keeps <paramref name="LastGoodCommit"/>.
/// </summary>
public sealed record EnvironmentStalled(string Environment, string Commit, DateTimeOffset At, string Reason, string? LastGoodCommit)
    : Notification(Environment, Commit, At)
{
    public override string Key => $"stalled/{Environment}/{Commit}";
}

/// <summary>A deployment of <paramref name="Commit"/> to the environment began. <paramref name="EnvironmentUrl"/> is where
/// the environment serves (null when unknown); <paramref name="LogUrl"/> links to its status or logs (null when unknown).</summary>
public sealed record DeploymentStarted(string Environment, string Commit, DateTimeOffset At, string? EnvironmentUrl, string? LogUrl)
    : Notification(Environment, Commit, At)
{
    public override string Key => $"deployment/{Environment}/{Commit}";
}

/// <summary>A deployment of <paramref name="Commit"/> to the environment ended; <paramref name="Description"/> says how, in
/// one line (why, when it failed).</summary>
public sealed record DeploymentFinished(
    string Environment,
    string Commit,
    DateTimeOffset At,
    bool Succeeded,
    string Description,
    string? EnvironmentUrl,
    string? LogUrl)
    : Notification(Environment, Commit, At)
{
    public override string Key => $"deployment/{Environment}/{Commit}";
}

/// <summary>
/// The rollout of <paramref name="Model"/> <paramref name="Version"/> in the environment was rolled back automatically
/// because its analysis failed on <paramref name="FailedMetric"/> (<paramref name="Reason"/> in one line);
/// <paramref name="Measurements"/> are that analysis's measurements. <paramref name="Commit"/> is the commit whose spec
/// asked for the version. <paramref name="RetryCommand"/> and <paramref name="AbortCommand"/> are the command lines an
/// operator runs to start the rollout again or to give the version up. <paramref name="RolloutId"/> identifies this
/// rollout attempt (a retry of the same version is a new attempt, and a new rollback is reported again).
/// </summary>
public sealed record AutomaticRollback(
    string Environment,
    string Commit,
    DateTimeOffset At,
    string Model,
    string Version,
    string RolloutId,
    string FailedMetric,
    string Reason,
    ImmutableArray<Measurement> Measurements,
    string RetryCommand,
    string AbortCommand)
    : Notification(Environment, Commit, At)
{
    public override string Key => $"rollback/{Environment}/{Model}/{Version}/{RolloutId}";
}
