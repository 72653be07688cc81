namespace GitOps.Planning.Retraining;

/// <summary>The lowest drift of the served version over the trigger's <c>for</c> window (the largest feature's PSI
/// for a feature trigger): over the threshold means it stayed over for the whole window. Null value: no data.</summary>
public sealed record DriftObservation(string Version, double? Value);
