using System.Collections.Immutable;
using System.Globalization;
using GitOps.Specs;

namespace GitOps.Serving.Faults;

/// <summary>
/// Faults the server adds on purpose, for game days and end-to-end tests of rollout analysis: a fraction of infer
/// requests answered 500, and latency added to every infer request. Off by default; <see cref="Track"/> limits them to
/// the servers of one rollout track, so one setting for a whole environment hits only its canaries.
/// </summary>
public sealed record FaultInjectionOptions
{
    public static readonly FaultInjectionOptions None = new();

    /// <summary>Fraction of infer requests answered 500 instead of being run, from 0 (none) to 1 (all).</summary>
    public double ErrorFraction { get; init; }

    /// <summary>Added before every infer request is run (and before an injected error is answered).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary><c>stable</c> or <c>canary</c>: inject only when the server serves that track; null for any track.</summary>
    public string? Track { get; init; }

    /// <summary>True when any fault is asked for.</summary>
    public bool Any => ErrorFraction > 0 || Latency > TimeSpan.Zero;

    /// <summary>True when the faults apply to a server of <paramref name="track"/>.</summary>
    public bool AppliesTo(string track) => Any && (Track is null || Track == track);

    /// <summary>Problems with the options, each naming the flag and what it should be.</summary>
    public ImmutableArray<string> Validate(ImmutableArray<string> tracks)
    {
        var problems = ImmutableArray.CreateBuilder<string>();
        if (!(ErrorFraction is >= 0 and <= 1))
        {
            problems.Add($"--fault-errors must be a fraction between 0 and 1 (e.g. 0.2 for one request in five), found {ErrorFraction.ToString(CultureInfo.InvariantCulture)}");
        }
        if (Latency < TimeSpan.Zero || Latency > TimeSpan.FromMinutes(1))
        {
            problems.Add($"--fault-latency must be between 0 and 1m, found {Durations.Format(Latency)}");
        }
        if (Track is not null && !tracks.Contains(Track))
        {
            problems.Add($"--fault-track must be {string.Join(" or ", tracks)}, found '{Track}'");
        }
        return problems.ToImmutable();
    }

    /// <summary>How the faults read in the server's log, e.g. <c>20% of infer requests answered 500, +200 ms each</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (ErrorFraction > 0)
        {
            parts.Add($"{(ErrorFraction * 100).ToString("0.##", CultureInfo.InvariantCulture)}% of infer requests answered 500");
        }
        if (Latency > TimeSpan.Zero)
        {
            parts.Add($"+{Durations.Format(Latency)} on every infer request");
        }
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
