using System.Collections.Immutable;

namespace GitOps.Reconciler.Analysis;

/// <summary>One series of an instant vector: its labels and its value.</summary>
public sealed record LabeledSample(ImmutableSortedDictionary<string, string> Labels, double Value);

/// <summary>Every series an instant query returned (none when the vector was empty), or why there are none.</summary>
public sealed record VectorAnswer(string Query, ImmutableArray<LabeledSample> Series, string? Error)
{
    public static VectorAnswer Failed(string query, string error) => new(query, [], error);
}
