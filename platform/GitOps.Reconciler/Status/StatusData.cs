using System.Collections.Immutable;
using System.Globalization;
using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Status;

/// <summary>
/// The <see cref="EnvironmentStatus"/> as ConfigMap <c>data</c>: one readable key per field, so
/// <c>kubectl get configmap gitops-status-ENV -o yaml</c> answers "what is applied and why not the latest commit".
/// </summary>
public static class StatusData
{
    public const string LastAppliedCommit = "lastAppliedCommit";
    public const string LastAttemptedCommit = "lastAttemptedCommit";
    public const string Outcome = "outcome";
    public const string Message = "message";
    public const string Diagnostics = "diagnostics";
    public const string Plan = "plan";
    public const string ConsecutiveFailures = "consecutiveFailures";
    public const string UpdatedAt = "updatedAt";
    public const string LastSuccessAt = "lastSuccessAt";
    public const string TrainedVersions = "trainedVersions";

    /// <summary>Name of the ConfigMap holding the status of <paramref name="environment"/>.</summary>
    public static string ConfigMapName(string environment) => $"gitops-status-{environment}";

    public static ImmutableSortedDictionary<string, string> ToData(EnvironmentStatus status)
    {
        var data = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        data[LastAppliedCommit] = status.LastAppliedCommit ?? "";
        data[LastAttemptedCommit] = status.LastAttemptedCommit ?? "";
        data[Outcome] = status.Outcome;
        data[Message] = status.Message;
        data[Diagnostics] = string.Join('\n', status.Diagnostics);
        data[Plan] = string.Create(CultureInfo.InvariantCulture,
            $"create={status.Plan.Create} update={status.Plan.Update} unchanged={status.Plan.Unchanged} delete={status.Plan.Delete}");
        data[ConsecutiveFailures] = status.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture);
        data[UpdatedAt] = status.UpdatedAt.ToString("O", CultureInfo.InvariantCulture);
        data[LastSuccessAt] = status.LastSuccessAt?.ToString("O", CultureInfo.InvariantCulture) ?? "";
        data[TrainedVersions] = string.Join('\n', status.TrainedVersions);
        return data.ToImmutable();
    }

    /// <summary>Reads status written by <see cref="ToData"/>; missing or unreadable fields take their initial value.</summary>
    public static EnvironmentStatus FromData(string environment, IReadOnlyDictionary<string, string>? data)
    {
        var initial = EnvironmentStatus.Initial(environment);
        if (data is null)
        {
            return initial;
        }
        string? Text(string key) => data.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        ImmutableArray<string> Lines(string key) =>
            Text(key) is { } v ? [.. v.Split('\n', StringSplitOptions.RemoveEmptyEntries)] : [];
        DateTimeOffset? Time(string key) =>
            DateTimeOffset.TryParse(Text(key), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : null;

        return initial with
        {
            LastAppliedCommit = Text(LastAppliedCommit),
            LastAttemptedCommit = Text(LastAttemptedCommit),
            Outcome = Text(Outcome) ?? "",
            Message = Text(Message) ?? "",
            Diagnostics = Lines(Diagnostics),
            Plan = ParsePlan(Text(Plan)),
            ConsecutiveFailures = int.TryParse(Text(ConsecutiveFailures), NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : 0,
            UpdatedAt = Time(UpdatedAt) ?? DateTimeOffset.MinValue,
            LastSuccessAt = Time(LastSuccessAt),
            TrainedVersions = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, Lines(TrainedVersions)),
        };
    }

    private static PlanSummary ParsePlan(string? text)
    {
        if (text is null)
        {
            return PlanSummary.Empty;
        }
        var counts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        int Get(string k) => counts.TryGetValue(k, out var v) ? v : 0;
        return new PlanSummary(Get("create"), Get("update"), Get("unchanged"), Get("delete"));
    }
}
