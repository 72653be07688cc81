using System.Globalization;
using GitOps.Policy.Expressions;

namespace GitOps.Rollouts.Analysis;

/// <summary>
/// Turns the answer to one query into a measurement phase, following the decided semantics:
/// a failed query is Error; an empty result, NaN or fewer than <c>minSamples</c> requests is the
/// <c>onNoData</c> outcome; otherwise <c>successCondition</c> true → Successful, <c>failureCondition</c> true →
/// Failed, both → Failed, neither (both set) → Inconclusive, and with only one condition set the other is its
/// negation.
/// </summary>
public static class MeasurementAssessor
{
    public static Measurement Assess(AnalysisMetric metric, Observation observation, DateTimeOffset at)
    {
        Measurement Result(MeasurementPhase phase, string reason, double? value = null) =>
            new(metric.Name, at, observation.Query, value, observation.Samples, phase, reason);

        switch (observation.Kind)
        {
            case ObservationKind.Error:
                return Result(MeasurementPhase.Error, $"query failed: {observation.Error}");
            case ObservationKind.NoData:
                return Result(metric.OnNoData, $"no data (empty result); onNoData is {Name(metric.OnNoData)}");
        }
        var value = observation.Value ?? double.NaN;
        if (double.IsNaN(value))
        {
            return Result(metric.OnNoData, $"no data (NaN); onNoData is {Name(metric.OnNoData)}", value);
        }
        if (metric.MinSamples > 0 && (observation.Samples is not { } samples || samples < metric.MinSamples))
        {
            var seen = observation.Samples is { } n ? Format(n) : "an unknown number of";
            return Result(metric.OnNoData, $"no data: {seen} requests, fewer than minSamples {metric.MinSamples}; onNoData is {Name(metric.OnNoData)}", value);
        }

        var variables = new Dictionary<string, object?>(StringComparer.Ordinal) { ["result"] = value };
        bool? success = null, failure = null;
        if (metric.SuccessCondition is { } s)
        {
            if (Evaluate(s, variables) is not { } v)
            {
                return Result(MeasurementPhase.Error, $"successCondition '{s}' could not be evaluated with result = {Format(value)}", value);
            }
            success = v;
        }
        if (metric.FailureCondition is { } f)
        {
            if (Evaluate(f, variables) is not { } v)
            {
                return Result(MeasurementPhase.Error, $"failureCondition '{f}' could not be evaluated with result = {Format(value)}", value);
            }
            failure = v;
        }
        var shown = $"result = {Format(value)}";
        return (success, failure) switch
        {
            (null, null) => Result(MeasurementPhase.Inconclusive, $"{shown}; the metric has neither successCondition nor failureCondition", value),
            (_, true) => Result(MeasurementPhase.Failed, $"{shown}: failureCondition '{metric.FailureCondition}' is true", value),
            (true, _) => Result(MeasurementPhase.Successful, $"{shown}: successCondition '{metric.SuccessCondition}' is true", value),
            (false, null) => Result(MeasurementPhase.Failed, $"{shown}: successCondition '{metric.SuccessCondition}' is false", value),
            (null, false) => Result(MeasurementPhase.Successful, $"{shown}: failureCondition '{metric.FailureCondition}' is false", value),
            (false, false) => Result(MeasurementPhase.Inconclusive, $"{shown}: neither successCondition nor failureCondition is true", value),
        };
    }

    /// <summary>The condition's boolean value, or null when it cannot be evaluated to a boolean.</summary>
    private static bool? Evaluate(string condition, Dictionary<string, object?> variables)
    {
        var outcome = CelExpressions.Evaluate(condition, variables);
        return outcome is { Succeeded: true, Value: bool b } ? b : null;
    }

    private static string Name(MeasurementPhase phase) => phase switch
    {
        MeasurementPhase.Successful => "successful",
        MeasurementPhase.Failed => "failed",
        _ => "inconclusive",
    };

    /// <summary>A measured value as people read it: <c>0.004</c>, <c>+Inf</c>, <c>NaN</c>.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("G6", CultureInfo.InvariantCulture),
    };
}
