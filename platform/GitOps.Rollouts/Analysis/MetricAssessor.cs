namespace GitOps.Rollouts.Analysis;

/// <summary>
/// The verdict of one metric from its measurements, and when it is measured next. A metric fails when failures
/// exceed <c>failureLimit</c>, errs when consecutive errors exceed <c>errorLimit</c>, is inconclusive when
/// inconclusive measurements exceed <c>inconclusiveLimit</c>, succeeds once <c>count</c> Successful or Failed
/// measurements (Errors and Inconclusives not counted) stayed within those limits, and is running otherwise.
/// </summary>
public static class MetricAssessor
{
    public static MetricResult Assess(AnalysisMetric metric, IEnumerable<Measurement> measurements)
    {
        int successful = 0, failed = 0, inconclusive = 0, errors = 0, consecutiveErrors = 0;
        Measurement? lastFailure = null, lastInconclusive = null, lastError = null;
        foreach (var m in measurements)
        {
            if (m.Metric != metric.Name)
            {
                continue;
            }
            if (m.Phase == MeasurementPhase.Error)
            {
                errors++;
                consecutiveErrors++;
                lastError = m;
                continue;
            }
            consecutiveErrors = 0;
            switch (m.Phase)
            {
                case MeasurementPhase.Successful:
                    successful++;
                    break;
                case MeasurementPhase.Failed:
                    failed++;
                    lastFailure = m;
                    break;
                default:
                    inconclusive++;
                    lastInconclusive = m;
                    break;
            }
        }

        MetricResult Result(AnalysisPhase phase, string reason) =>
            new(metric.Name, phase, successful, failed, inconclusive, errors, consecutiveErrors, reason);

        if (failed > metric.FailureLimit)
        {
            return Result(AnalysisPhase.Failed,
                $"{failed} failed measurement(s), more than failureLimit {metric.FailureLimit}; last: {lastFailure!.Reason}");
        }
        if (consecutiveErrors > metric.ErrorLimit)
        {
            return Result(AnalysisPhase.Error,
                $"{consecutiveErrors} consecutive query errors, more than errorLimit {metric.ErrorLimit}; last: {lastError!.Reason}");
        }
        if (inconclusive > metric.InconclusiveLimit)
        {
            return Result(AnalysisPhase.Inconclusive,
                $"{inconclusive} inconclusive measurement(s), more than inconclusiveLimit {metric.InconclusiveLimit}; last: {lastInconclusive!.Reason}");
        }
        // Only measurements that measured something count: with inconclusiveLimit at or above count, a metric that
        // never had data would otherwise pass, which the design forbids ("never a silent pass").
        if (successful + failed >= metric.Count)
        {
            return Result(AnalysisPhase.Successful,
                $"{successful} of {metric.Count} measurements successful ({failed} failed, {inconclusive} inconclusive, within limits)");
        }
        return Result(AnalysisPhase.Running, $"{successful + failed} of {metric.Count} measurements taken");
    }

    /// <summary>
    /// When the metric is measured next, or null when its verdict is final. Measurements run at a fixed rate from
    /// <paramref name="startedAt"/> (one per <c>interval</c> slot, a late one does not cause a burst); after an
    /// Error the query is retried <see cref="AnalysisMetric.ErrorRetryDelay"/> later.
    /// </summary>
    public static DateTimeOffset? NextDue(AnalysisMetric metric, DateTimeOffset startedAt, IReadOnlyList<Measurement> measurements)
    {
        if (Assess(metric, measurements).Phase.IsCompleted())
        {
            return null;
        }
        Measurement? last = null;
        foreach (var m in measurements)
        {
            if (m.Metric == metric.Name)
            {
                last = m;
            }
        }
        if (last is null)
        {
            return startedAt;
        }
        if (last.Phase == MeasurementPhase.Error)
        {
            return last.At + AnalysisMetric.ErrorRetryDelay;
        }
        var elapsed = last.At - startedAt;
        var slot = elapsed < TimeSpan.Zero ? 0 : elapsed.Ticks / metric.Interval.Ticks;
        return startedAt + TimeSpan.FromTicks((slot + 1) * metric.Interval.Ticks);
    }
}
