using System.Collections.Immutable;
using System.Globalization;
using GitOps.Registry.Records;
using GitOps.Specs;

namespace GitOps.Registry.Promotion;

/// <summary>
/// Pure: whether an environment with <c>promotion.from</c> may receive a version, judged from the source
/// environment's append-only deploy history (<c>registry/MODEL/events/SOURCE/</c>) — the only record of "served as
/// stable since when" that outlives the source's cluster and that every reconciler can read — then from the version's
/// record and its artifact's digest. Time is a parameter.
/// </summary>
public static class PromotionRule
{
    /// <summary>
    /// Step one: has <paramref name="source"/> served <paramref name="version"/> as its stable version for at least
    /// <paramref name="soak"/> at <paramref name="now"/>? Stable since the last <c>deployed</c>/<c>promoted</c> event,
    /// when that event is of this version and no later event rolled it back or aborted it.
    /// </summary>
    public static Soak Soaked(string source, string model, string version, IReadOnlyList<RegistryEvent> sourceHistory,
        TimeSpan soak, DateTimeOffset now)
    {
        var stable = DeployHistory.Stable(sourceHistory);
        if (stable is null || stable.Version != version)
        {
            var serves = stable is null ? "nothing yet" : $"{stable.Version} (since {Time(stable.At)})";
            return new Soak(false, null, null,
                $"{source} has not served {model} {version} as stable ({source} serves {serves}); it is promoted once {source} has served it for {Durations.Format(soak)}");
        }
        var at = IndexOf(sourceHistory, stable);
        if (sourceHistory.Skip(at + 1).FirstOrDefault(e => e.Version == version
                && e.Type is RegistryEventTypes.RolledBack or RegistryEventTypes.Aborted) is { } undone)
        {
            return new Soak(false, null, null,
                $"{source} {(undone.Type == RegistryEventTypes.Aborted ? $"aborted {version} ({undone.By})" : $"rolled {version} back")} at {Time(undone.At)}: {undone.Reason}; it is not promoted");
        }
        var ready = stable.At + soak;
        if (now < ready)
        {
            return new Soak(false, stable, ready,
                $"{source} has served {version} as stable for {Durations.Format(Floor(now - stable.At))} of {Durations.Format(soak)} soak; ready at {Time(ready)}");
        }
        return new Soak(true, stable, ready, $"{source} has served {version} as stable since {Time(stable.At)} ({Durations.Format(Floor(now - stable.At))}, soak {Durations.Format(soak)})");
    }

    /// <summary>
    /// Step two, once soaked: the version's record in the source registry must exist and have passed its gates there,
    /// and its artifact must still have the recorded sha256. Returns the evidence the promotion is recorded with.
    /// </summary>
    public static PromotionDecision Decide(string source, Soak soaked, TimeSpan soak, ModelRecord? record, ArtifactCheck? artifact, DateTimeOffset now)
    {
        if (!soaked.Done || soaked.StableEvent is not { } stable)
        {
            return new PromotionDecision(PromotionVerdict.Waiting, soaked.Reason, soaked.ReadyAt, ImmutableSortedDictionary<string, string>.Empty);
        }
        if (record is null)
        {
            return new PromotionDecision(PromotionVerdict.Waiting,
                $"{source} serves {stable.Version} but its registry has no record of it; it is promoted once the record is there", null,
                ImmutableSortedDictionary<string, string>.Empty);
        }
        if (!record.Passed)
        {
            return new PromotionDecision(PromotionVerdict.Refused, $"{stable.Version} failed its gates in {record.Environment}: {record.Gates.Summary}", null,
                ImmutableSortedDictionary<string, string>.Empty);
        }
        if (artifact is null || !artifact.Matches)
        {
            return new PromotionDecision(PromotionVerdict.Refused,
                artifact?.Error ?? $"the artifact of {record.Model} {record.Version} in {source} was not checked; it is not promoted", null,
                ImmutableSortedDictionary<string, string>.Empty);
        }
        var evidence = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            [EvidenceKeys.Source] = source,
            [EvidenceKeys.Version] = stable.Version,
            [EvidenceKeys.Sha256] = record.Artifact.Sha256,
            [EvidenceKeys.StableSince] = stable.At.ToString("O", CultureInfo.InvariantCulture),
            [EvidenceKeys.Soak] = Durations.Format(soak),
            [EvidenceKeys.ServedFor] = Durations.Format(Floor(now - stable.At)),
            [EvidenceKeys.SourceEvent] = $"{stable.Type} by {stable.By}: {stable.Reason}",
            [EvidenceKeys.SourceCommit] = stable.Commit ?? record.Source.Commit,
            [EvidenceKeys.TrainedIn] = record.Environment,
            [EvidenceKeys.Gates] = $"{record.Environment}: {record.Gates.Summary}",
        });
        if (stable.Evidence.TryGetValue(EvidenceKeys.Analyses, out var analyses))
        {
            evidence = evidence.Add(EvidenceKeys.Analyses, analyses);
        }
        return new PromotionDecision(PromotionVerdict.Ready, soaked.Reason, soaked.ReadyAt, evidence);
    }

    private static int IndexOf(IReadOnlyList<RegistryEvent> events, RegistryEvent e)
    {
        for (var i = events.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(events[i], e))
            {
                return i;
            }
        }
        return -1;
    }

    private static TimeSpan Floor(TimeSpan t) => t <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Floor(t.TotalSeconds));

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Step one of <see cref="PromotionRule"/>: whether the soak is over, since which event, and when it will be.</summary>
/// <param name="Done">The source has served the version as stable for at least the soak.</param>
/// <param name="StableEvent">The source's event that made the version stable; null when it is not stable there.</param>
/// <param name="ReadyAt">When the soak ends (past or future); null when the source does not serve the version as stable.</param>
public sealed record Soak(bool Done, RegistryEvent? StableEvent, DateTimeOffset? ReadyAt, string Reason);

/// <summary>What <see cref="PromotionRule.Decide"/> concluded.</summary>
public enum PromotionVerdict
{
    /// <summary>Soaked, recorded, passed and byte-identical: the artifact may be received.</summary>
    Ready,

    /// <summary>Not yet (not stable in the source, soak not over, record not there): looked at again later.</summary>
    Waiting,

    /// <summary>Never as it is: the artifact no longer matches its record, or the version failed its gates.</summary>
    Refused,
}

/// <summary>A promotion decision: the verdict, why, when a waiting version becomes ready, and the evidence.</summary>
public sealed record PromotionDecision(PromotionVerdict Verdict, string Reason, DateTimeOffset? ReadyAt,
    ImmutableSortedDictionary<string, string> Evidence);

/// <summary>The keys of a promotion's evidence (<see cref="RegistryEvent.Evidence"/>).</summary>
public static class EvidenceKeys
{
    public const string Source = "source";
    public const string Version = "version";
    public const string Sha256 = "sha256";
    public const string StableSince = "stableSince";
    public const string Soak = "soak";
    public const string ServedFor = "servedFor";
    public const string SourceEvent = "sourceEvent";
    public const string SourceCommit = "sourceCommit";
    public const string TrainedIn = "trainedIn";
    public const string Gates = "gates";
    /// <summary>On a <c>deployed</c>/<c>promoted</c> event: the analysis runs of that rollout and their verdicts;
    /// copied into the evidence of a promotion that follows it.</summary>
    public const string Analyses = "analyses";
    /// <summary>On a <c>received</c> event: the gates of the receiving environment against its champion.</summary>
    public const string TargetGates = "targetGates";
}
