namespace GitOps.Rollouts.Analysis;

/// <summary>What kind of answer a metrics query gave.</summary>
public enum ObservationKind
{
    /// <summary>One number.</summary>
    Value,
    /// <summary>An empty result (no series): no data.</summary>
    NoData,
    /// <summary>The query failed: unreachable, timed out, an error reply, or a result of the wrong shape.</summary>
    Error,
}

/// <summary>
/// The answer of the metrics port to one analysis query, before assessment. <see cref="Samples"/> is the number of
/// requests the measured window holds (for <c>minSamples</c>), or null when it was not asked for.
/// </summary>
public sealed record Observation(ObservationKind Kind, string Query, double? Value, double? Samples, string? Error)
{
    public static Observation Of(string query, double value, double? samples = null) => new(ObservationKind.Value, query, value, samples, null);

    public static Observation NoData(string query, double? samples = null) => new(ObservationKind.NoData, query, null, samples, null);

    public static Observation Failed(string query, string error) => new(ObservationKind.Error, query, null, null, error);
}
