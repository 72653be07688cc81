using GitOps.Rollouts.Analysis;

namespace GitOps.Rollouts.Replay;

/// <summary>What one metric's query answered at one time, as recorded or read back from Prometheus: the input of a replay.</summary>
public sealed record RecordedObservation(string Metric, DateTimeOffset At, Observation Observation)
{
    /// <summary>The answer behind an assessed measurement, so that it can be assessed again under another policy.</summary>
    public static RecordedObservation From(Measurement m) => new(m.Metric, m.At, m.Phase == MeasurementPhase.Error
        ? Observation.Failed(m.Query, m.Reason.StartsWith(ErrorPrefix, StringComparison.Ordinal) ? m.Reason[ErrorPrefix.Length..] : m.Reason)
        : m.Value is { } value ? Observation.Of(m.Query, value, m.Samples) : Observation.NoData(m.Query, m.Samples));

    private const string ErrorPrefix = "query failed: ";
}
