using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Loading;

namespace GitOps.Rollouts.Replay;

/// <summary>
/// The measurements file (<c>kind: MeasurementRecording</c>) that <c>gitops analyze --measurements</c> replays and
/// <c>gitops rollout status -o json</c> writes for each rollout: which model, environment and version the answers
/// are about, and each answer with its metric, time and either <c>value</c> (with <c>samples</c> when counted),
/// <c>noData</c> or <c>error</c>. <c>query</c>, <c>phase</c> and <c>reason</c> are kept for people and ignored by the
/// replay, which assesses the answers again under the policy it is given. Values may be <c>"NaN"</c>,
/// <c>"Infinity"</c> or <c>"-Infinity"</c>.
/// </summary>
public sealed record MeasurementRecording(string? Model, string? Environment, string? Version, ImmutableArray<RecordedObservation> Observations)
{
    public const string Kind = "MeasurementRecording";
    public const string ApiVersion = "ml.gitops/v1alpha1";

    /// <summary>Every measurement of a rollout's current and past runs for <paramref name="version"/> (default: its canary), oldest first.</summary>
    public static MeasurementRecording FromState(string model, string environment, RolloutState state, string? version = null)
    {
        var runs = state.PastRuns.AsEnumerable();
        if (state.StepAnalysis is { } step)
        {
            runs = runs.Append(step);
        }
        if (state.BackgroundAnalysis is { } background)
        {
            runs = runs.Append(background);
        }
        // Run ids start with the rollout's generation; only the runs of the current rollout are about its canary.
        var prefix = $"{state.Generation}-";
        return new MeasurementRecording(model, environment, version ?? state.Canary,
            [.. runs.Where(r => r.Id.StartsWith(prefix, StringComparison.Ordinal))
                .SelectMany(r => r.Measurements)
                .OrderBy(m => m.At)
                .Select(RecordedObservation.From)]);
    }

    public JsonObject ToJson() => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = Kind,
        ["model"] = Model,
        ["environment"] = Environment,
        ["version"] = Version,
        ["measurements"] = new JsonArray([.. Observations.Select(Entry)]),
    };

    private static JsonNode Entry(RecordedObservation o)
    {
        var entry = new JsonObject
        {
            ["metric"] = o.Metric,
            ["at"] = o.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        };
        switch (o.Observation.Kind)
        {
            case ObservationKind.Error:
                entry["error"] = o.Observation.Error;
                break;
            case ObservationKind.NoData:
                entry["noData"] = true;
                break;
            default:
                entry["value"] = Number(o.Observation.Value ?? double.NaN);
                break;
        }
        if (o.Observation.Samples is { } samples)
        {
            entry["samples"] = Number(samples);
        }
        if (o.Observation.Query.Length > 0)
        {
            entry["query"] = o.Observation.Query;
        }
        return entry;
    }

    private static JsonNode Number(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

    /// <summary>
    /// Reads a measurements file, or the output of <c>gitops rollout status -o json</c> (the rollout of
    /// <paramref name="model"/>, or its only one). Returns null with what is wrong and where (the entry's index).
    /// </summary>
    public static MeasurementRecording? Parse(string json, string? model, out string? error)
    {
        error = null;
        JsonObject? root;
        try
        {
            // Editors on Windows save UTF-8 with a byte order mark; the JSON reader refuses it as a value.
            var text = json.StartsWith('\uFEFF') ? json[1..] : json;
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }) as JsonObject;
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {JsonReadError.Describe(e)}";
            return null;
        }
        if (root?["rollouts"] is JsonArray rollouts)
        {
            var candidates = rollouts.OfType<JsonObject>().Where(r => model is null || Text(r["model"]) == model).ToList();
            if (candidates.Count != 1)
            {
                error = candidates.Count == 0
                    ? $"the status lists no rollout{(model is null ? "" : $" of model {model}")}"
                    : $"the status lists {candidates.Count} rollouts ({string.Join(", ", candidates.Select(c => Text(c["model"])))}); pass --model";
                return null;
            }
            root = candidates[0]["recording"] as JsonObject;
        }
        if (root is null || Text(root["kind"]) != Kind)
        {
            error = $"expected a JSON object with \"kind\": \"{Kind}\" (or the output of gitops rollout status -o json)";
            return null;
        }
        if (root["measurements"] is not JsonArray entries)
        {
            error = "\"measurements\" is missing or not a list";
            return null;
        }
        var observations = ImmutableArray.CreateBuilder<RecordedObservation>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (ParseEntry(entries[i] as JsonObject, out var problem) is { } observation)
            {
                observations.Add(observation);
            }
            else
            {
                error = $"measurements[{i}]: {problem}";
                return null;
            }
        }
        return new MeasurementRecording(Text(root["model"]), Text(root["environment"]), Text(root["version"]), observations.ToImmutable());
    }

    /// <summary>
    /// The first measurement whose metric is none of <paramref name="templates"/> (the analysis templates of the
    /// rollout policy <paramref name="policy"/>), as "measurements[INDEX]: ..." with the known names; null when every
    /// metric is known. A replay measures only the policy's templates, so such a measurement would be dropped without
    /// a word.
    /// </summary>
    public string? UnknownMetric(string policy, IReadOnlyCollection<string> templates)
    {
        for (var i = 0; i < Observations.Length; i++)
        {
            var metric = Observations[i].Metric;
            if (!templates.Contains(metric, StringComparer.Ordinal))
            {
                var hint = Suggestions.DidYouMean(metric, templates) is { } typo ? $"; {typo}" : "";
                return $"measurements[{i}]: \"metric\" is '{metric}', which is not an analysis template of rollout policy {policy} (its templates: " +
                       $"{string.Join(", ", templates.Order(StringComparer.Ordinal))}{hint})";
            }
        }
        return null;
    }

    private static RecordedObservation? ParseEntry(JsonObject? entry, out string? problem)
    {
        problem = null;
        if (entry is null)
        {
            problem = "expected an object";
            return null;
        }
        if (Text(entry["metric"]) is not { Length: > 0 } metric)
        {
            problem = "\"metric\" is missing";
            return null;
        }
        if (!DateTimeOffset.TryParse(Text(entry["at"]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            problem = $"\"at\" must be a time such as 2026-03-04T14:07:00Z (got {entry["at"]?.ToJsonString() ?? "nothing"})";
            return null;
        }
        var query = Text(entry["query"]) ?? "";
        double? samples = null;
        if (entry["samples"] is { } samplesNode)
        {
            if (Double(samplesNode) is not { } counted || !double.IsFinite(counted) || counted < 0)
            {
                problem = $"\"samples\" must be a count of requests, 0 or more (got {samplesNode.ToJsonString()})";
                return null;
            }
            samples = counted;
        }
        var answers = new[] { "value", "noData", "error" }.Where(name => entry[name] is not null).ToList();
        if (answers.Count != 1)
        {
            problem = answers.Count == 0
                ? $"one of {Answers} is needed"
                : $"it has {string.Join(" and ", answers.Select(a => $"\"{a}\""))}; exactly one of {Answers} is allowed";
            return null;
        }
        switch (answers[0])
        {
            case "error":
                if (Text(entry["error"]) is not { } failure)
                {
                    problem = $"\"error\" must be the query's error message, a string (got {entry["error"]!.ToJsonString()})";
                    return null;
                }
                return new RecordedObservation(metric, at, Observation.Failed(query, failure));
            case "noData":
                if (entry["noData"] is not JsonValue noData || !noData.TryGetValue<bool>(out var none) || !none)
                {
                    problem = $"\"noData\" can only be true (got {entry["noData"]!.ToJsonString()}); for an answer with data give \"value\"";
                    return null;
                }
                return new RecordedObservation(metric, at, Observation.NoData(query, samples));
            default:
                if (Double(entry["value"]) is not { } value)
                {
                    problem = $"\"value\" must be a number, \"NaN\", \"Infinity\" or \"-Infinity\" (got {entry["value"]!.ToJsonString()})";
                    return null;
                }
                return new RecordedObservation(metric, at, Observation.Of(query, value, samples));
        }
    }

    private const string Answers = "\"value\" (a number, \"NaN\", \"Infinity\" or \"-Infinity\"), \"noData\": true or \"error\"";

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Double(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }
        if (v.TryGetValue<double>(out var d))
        {
            return d;
        }
        return v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }
}
