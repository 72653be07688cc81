using System.Globalization;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Planning.Retraining;

/// <summary>
/// When a model's retrain is due (pure; time is a parameter). The schedule counts from the last generation of any
/// reason: <c>7d</c> is due 7 days after it, a cron expression at its first occurrence after it. Drift is due when the
/// observed PSI stayed over the threshold for the trigger's whole window and <c>minInterval</c> has passed since the
/// last generation, so a version that keeps drifting is not retrained on every pass.
/// </summary>
public static class RetrainSchedule
{
    public static RetrainDecision Decide(ModelSpec model, RetrainGeneration last, DriftObservation? drift, DateTimeOffset now)
    {
        var retrain = model.Spec.Training.Retrain ?? throw new ArgumentException($"model '{model.Name}' declares no retrain", nameof(model));
        DateTimeOffset? next = null;
        string? schedule = null;
        if (retrain.Schedule is { } text && RetrainSchedules.TryParse(text, out var parsed))
        {
            next = parsed.NextAfter(last.At);
            schedule = parsed.ToString();
            if (next <= now)
            {
                return RetrainDecision.DueFor(RetrainReasons.Schedule, $"schedule {schedule} (last {Time(last.At)})", parsed.NextAfter(now));
            }
        }
        var waiting = next is { } at ? $"next by schedule {schedule}: {Time(at)}" : "no schedule";
        if (retrain.OnDrift is not { } trigger)
        {
            return RetrainDecision.NotDue(waiting, next);
        }
        var threshold = Threshold(trigger, model.Spec.Monitoring?.Drift);
        var metric = trigger.Metric == DriftTriggerMetrics.Feature ? trigger.Feature is { } f ? $"feature {f} drift" : "feature drift" : "score drift";
        if (drift?.Value is not { } value || double.IsNaN(value))
        {
            return RetrainDecision.NotDue($"{waiting}; {metric} not measured", next);
        }
        if (value <= threshold)
        {
            return RetrainDecision.NotDue($"{waiting}; {metric} {Number(value)} <= {Number(threshold)}", next);
        }
        var over = $"{metric} {Number(value)} > {Number(threshold)} for {trigger.For}";
        var minInterval = Durations.TryParse(retrain.MinInterval, out var min) ? min : TimeSpan.FromDays(1);
        if (now < last.At + minInterval)
        {
            return RetrainDecision.NotDue($"{over}, but the last retrain was at {Time(last.At)} (minInterval {retrain.MinInterval}): not before {Time(last.At + minInterval)}", next);
        }
        return RetrainDecision.DueFor(RetrainReasons.Drift, $"{over} (version {drift.Version})", next);
    }

    /// <summary>The PSI over which <paramref name="trigger"/> retrains: its own threshold, else the model's drift limit
    /// for the score or the feature.</summary>
    public static double Threshold(DriftTrigger trigger, DriftLimits? limits) =>
        trigger.Threshold
        ?? (trigger.Metric == DriftTriggerMetrics.Score
            ? limits?.Score
            : trigger.Feature is { } f && limits?.Features.TryGetValue(f, out var own) == true ? own : limits?.Threshold)
        ?? 0.2;

    /// <summary><c>2026-11-23 03:00Z</c>: how retrain texts show a time.</summary>
    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
