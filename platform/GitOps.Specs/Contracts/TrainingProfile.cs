using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Specs.Contracts;

/// <summary>
/// <c>profile.json</c>, written by the trainer beside the model: a reference profile of the training data (each input
/// feature) and of the model's scores on it. The inference server compares live traffic with it: PSI over the
/// <see cref="FeatureProfile.Edges"/> bins, the KS statistic over the <see cref="FeatureProfile.Quantiles"/> of
/// continuous features, and values outside [<see cref="FeatureProfile.Min"/>, <see cref="FeatureProfile.Max"/>].
/// </summary>
public sealed record TrainingProfile(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("features")] ImmutableArray<FeatureProfile> Features,
    [property: JsonPropertyName("score")] FeatureProfile? Score)
{
    public const int CurrentSchema = 1;
    public const string File = "profile.json";

    public string Serialize() => JsonSerializer.Serialize(this, TrainingProfileJson.Default.TrainingProfile) + "\n";

    /// <summary>The profile in <paramref name="bytes"/>, or what is wrong with it (for a person: which field, why).</summary>
    public static (TrainingProfile? Profile, string? Error) Parse(ReadOnlySpan<byte> bytes)
    {
        TrainingProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(bytes, TrainingProfileJson.Default.TrainingProfile);
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON: {e.Message}");
        }
        if (profile is null)
        {
            return (null, "empty");
        }
        if (profile.Schema != CurrentSchema)
        {
            return (null, $"schema is {profile.Schema}, but this version reads schema {CurrentSchema}");
        }
        if (profile.Features.IsDefaultOrEmpty)
        {
            return (null, "'features' is missing or empty: profile every input feature");
        }
        foreach (var feature in profile.Features.Append(profile.Score).OfType<FeatureProfile>())
        {
            if (feature.Problem() is { } problem)
            {
                return (null, $"feature '{feature.Name}': {problem}");
            }
        }
        var duplicate = profile.Features.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? (profile, null) : (null, $"feature '{duplicate.Key}' is profiled twice");
    }
}

/// <summary>
/// One feature (or the score): its kind, range and share of missing values, the PSI bins (interior
/// <see cref="Edges"/>; a value <c>v</c> falls in the first bin whose edge is at or above it) with the share of
/// training rows in each, and the 0th..100th percentiles for the KS statistic. <see cref="Input"/> and
/// <see cref="Index"/> locate the feature in a multi-column input tensor (default: the input named like the feature,
/// column 0).
/// </summary>
public sealed record FeatureProfile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("nullRate")] double NullRate,
    [property: JsonPropertyName("edges")] ImmutableArray<double> Edges,
    [property: JsonPropertyName("proportions")] ImmutableArray<double> Proportions,
    [property: JsonPropertyName("quantiles")] ImmutableArray<double> Quantiles,
    [property: JsonPropertyName("input")] string? Input = null,
    [property: JsonPropertyName("index")] int Index = 0)
{
    public const string Continuous = "continuous";
    public const string Discrete = "discrete";

    /// <summary>Features with at most this many distinct values are profiled value by value (no KS).</summary>
    public const int MaxDiscreteValues = 10;

    public const int Bins = 10;

    /// <summary>The bin of <paramref name="value"/>: the first whose upper edge is at or above it, else the last.</summary>
    public int BinOf(double value)
    {
        var edges = Edges;
        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Profiles <paramref name="values"/> (NaN counts as missing).</summary>
    public static FeatureProfile Of(string name, IReadOnlyList<double> values, string? input = null, int index = 0)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(present);
        var nullRate = values.Count == 0 ? 0 : (values.Count - present.Length) / (double)values.Count;
        if (present.Length == 0)
        {
            return new FeatureProfile(name, Continuous, 0, 0, nullRate, [], [1.0], [], input, index);
        }
        var quantiles = Enumerable.Range(0, 101).Select(k => present[(int)Math.Round(k / 100.0 * (present.Length - 1))]).ToImmutableArray();
        var distinct = present.Distinct().Take(MaxDiscreteValues + 1).ToList();
        var discrete = distinct.Count <= MaxDiscreteValues;
        ImmutableArray<double> edges = discrete
            ? [.. distinct.Zip(distinct.Skip(1), (a, b) => a + (b - a) / 2)]
            : [.. Enumerable.Range(1, Bins - 1).Select(k => quantiles[k * 100 / Bins]).Distinct().Where(e => e < present[^1])];
        var profile = new FeatureProfile(name, discrete ? Discrete : Continuous, present[0], present[^1], nullRate, edges, [], discrete ? [] : quantiles, input, index);
        var counts = new long[edges.Length + 1];
        foreach (var v in present)
        {
            counts[profile.BinOf(v)]++;
        }
        return profile with { Proportions = [.. counts.Select(c => c / (double)present.Length)] };
    }

    internal string? Problem()
    {
        if (string.IsNullOrEmpty(Name))
        {
            return "'name' is missing";
        }
        if (Kind is not (Continuous or Discrete))
        {
            return $"'kind' is '{Kind}'; use '{Continuous}' or '{Discrete}'";
        }
        if (Edges.IsDefault || Proportions.IsDefault || Proportions.Length != Edges.Length + 1)
        {
            return "'proportions' must have one entry more than 'edges' (one per bin)";
        }
        if (Edges.Zip(Edges.Skip(1)).Any(p => p.First >= p.Second))
        {
            return "'edges' must increase strictly";
        }
        if (Proportions.Any(p => p < 0 || !double.IsFinite(p)) || Math.Abs(Proportions.Sum() - 1) > 1e-6)
        {
            return "'proportions' must be shares between 0 and 1 that add up to 1";
        }
        if (!Quantiles.IsDefault && Quantiles.Length is not (0 or 101))
        {
            return "'quantiles' must hold the 0th to 100th percentiles (101 values) or be empty";
        }
        if (NullRate is < 0 or > 1)
        {
            return "'nullRate' must be between 0 and 1";
        }
        return Min > Max ? "'min' is above 'max'" : null;
    }
}

/// <summary>Distribution shift of a window of live values against a <see cref="FeatureProfile"/>.</summary>
public static class DriftStatistics
{
    /// <summary>Floor of a bin's share, so an empty bin on either side gives a large but finite PSI.</summary>
    public const double MinShare = 1e-4;

    /// <summary>Population stability index: sum over bins of (live - expected) * ln(live / expected).</summary>
    public static double Psi(FeatureProfile reference, ReadOnlySpan<double> window)
    {
        var counts = new int[reference.Proportions.Length];
        var n = 0;
        foreach (var v in window)
        {
            if (!double.IsNaN(v))
            {
                counts[reference.BinOf(v)]++;
                n++;
            }
        }
        if (n == 0)
        {
            return double.NaN;
        }
        var psi = 0.0;
        for (var i = 0; i < counts.Length; i++)
        {
            var expected = Math.Max(reference.Proportions[i], MinShare);
            var actual = Math.Max(counts[i] / (double)n, MinShare);
            psi += (actual - expected) * Math.Log(actual / expected);
        }
        return psi;
    }

    /// <summary>
    /// Kolmogorov-Smirnov statistic against the reference's percentiles: the largest gap between the share of live
    /// values at or below the k-th percentile and k/100. NaN for discrete features or without values.
    /// </summary>
    public static double Ks(FeatureProfile reference, ReadOnlySpan<double> window)
    {
        if (reference.Quantiles.IsDefaultOrEmpty)
        {
            return double.NaN;
        }
        var sorted = new List<double>(window.Length);
        foreach (var v in window)
        {
            if (!double.IsNaN(v))
            {
                sorted.Add(v);
            }
        }
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        sorted.Sort();
        var ks = 0.0;
        for (var k = 0; k <= 100; k++)
        {
            var q = reference.Quantiles[k];
            if (k < 100 && reference.Quantiles[k + 1] == q)
            {
                // Tied percentiles (a feature with repeated values): the reference's share at or below q is that of
                // the last percentile with this value.
                continue;
            }
            var index = sorted.BinarySearch(q);
            // The number of values at or below q.
            var at = index >= 0 ? UpperBound(sorted, q) : ~index;
            ks = Math.Max(ks, Math.Abs(at / (double)sorted.Count - k / 100.0));
        }
        return ks;
    }

    private static int UpperBound(List<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}

/// <summary>
/// How <see cref="TrainingProfile"/> is read and written, generated when building: no reflection at run time, so the
/// inference server and <c>gitops score</c> read profiles in a native (ahead-of-time compiled) build too.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TrainingProfile))]
internal sealed partial class TrainingProfileJson : JsonSerializerContext;
