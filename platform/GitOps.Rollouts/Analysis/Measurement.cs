namespace GitOps.Rollouts.Analysis;

/// <summary>One assessed measurement of one metric: when, which query, the value read, its phase and why.</summary>
public sealed record Measurement(
    string Metric,
    DateTimeOffset At,
    string Query,
    double? Value,
    double? Samples,
    MeasurementPhase Phase,
    string Reason);
