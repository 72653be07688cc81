namespace GitOps.Planning.Retraining;

/// <summary>Whether a retrain is due now, why (<see cref="Reason"/>, <see cref="Detail"/>), and when the schedule
/// next makes one due.</summary>
public sealed record RetrainDecision(bool Due, string? Reason, string Detail, DateTimeOffset? NextScheduled)
{
    public static RetrainDecision NotDue(string detail, DateTimeOffset? next) => new(false, null, detail, next);

    public static RetrainDecision DueFor(string reason, string detail, DateTimeOffset? next) => new(true, reason, detail, next);
}
