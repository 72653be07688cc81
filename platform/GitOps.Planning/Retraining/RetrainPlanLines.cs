using System.Globalization;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Planning.Retraining;

/// <summary>What <c>gitops plan</c> says of a model with <c>spec.training.retrain</c> (pure): the generation recorded for
/// it, if the plan was given one, and when the schedule makes the next retrain due — or, without recorded state,
/// what is declared. A plan never measures drift: that is read by the reconciler.</summary>
public static class RetrainPlanLines
{
    public static string Line(ModelSpec model, RetrainGeneration? recorded, DateTimeOffset now)
    {
        var retrain = model.Spec.Training.Retrain ?? throw new ArgumentException($"model '{model.Name}' declares no retrain", nameof(model));
        var drift = retrain.OnDrift is { } trigger
            ? string.Create(CultureInfo.InvariantCulture,
                $"on {(trigger.Metric == DriftTriggerMetrics.Feature ? trigger.Feature is { } f ? $"feature {f} drift" : "feature drift" : "score drift")} over {RetrainSchedule.Threshold(trigger, model.Spec.Monitoring?.Drift)} for {trigger.For}")
            : null;
        if (recorded is null || !recorded.AppliesTo(model))
        {
            var schedule = RetrainSchedules.TryParse(retrain.Schedule, out var parsed) ? parsed.ToString() : null;
            var when = string.Join(" and ", new[] { schedule, drift }.Where(w => w is not null));
            return $"{model.Name}: retrains {when} from {retrain.UriTemplate}; no retrain recorded here (the reconciler records them; gitops status shows them)";
        }
        var decision = RetrainSchedule.Decide(model, recorded, null, now);
        if (decision.Due)
        {
            return $"{model.Name}: {recorded.Describe()}; retrain due: {decision.Detail}; the reconciler retrains on its next pass";
        }
        var next = decision.NextScheduled is { } at && RetrainSchedules.TryParse(retrain.Schedule, out var s)
            ? $"next by schedule {s}: {RetrainSchedule.Time(at)}"
            : "no schedule";
        return $"{model.Name}: {recorded.Describe()}; {next}" + (drift is null ? "" : $"; retrains {drift} (read by the reconciler)");
    }
}
