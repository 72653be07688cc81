using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitOps.Registry.Records;

/// <summary>What <c>metrics.json</c> says, and each way in which it breaks the contract.</summary>
public sealed record MetricsContent(ImmutableSortedDictionary<string, double> Metrics, MeasuredFacts? Facts, ImmutableArray<string> Problems)
{
    public bool IsValid => Problems.IsEmpty;
}

/// <summary>
/// Reads <c>metrics.json</c> (the trainer contract, <c>docs/training.md</c>): an object of metric name → finite
/// number, plus the reserved object <c>model</c> with what the trainer measured on the exported model
/// (<c>sizeBytes</c>, <c>sizeMb</c>, <c>latencyP50Ms</c>, <c>latencyP99Ms</c>, <c>latencyRuns</c>), which quality
/// gates read as <c>model.sizeMb</c> and <c>model.latencyP99Ms</c>. One reader for the verifier and the reconciler.
/// </summary>
public static partial class MetricsFile
{
    public const string FactsKey = "model";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex MetricName();

    /// <summary>Parses <paramref name="json"/>; with <paramref name="modelBytes"/>, also checks that
    /// <c>model.sizeBytes</c> is the real size of <c>model.onnx</c>.</summary>
    public static MetricsContent Parse(ReadOnlyMemory<byte> json, long? modelBytes = null)
    {
        var problems = ImmutableArray.CreateBuilder<string>();
        var metrics = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        MeasuredFacts? facts = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return new(metrics.ToImmutable(), null, [$"is not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('.')[0]}"]);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new(metrics.ToImmutable(), null,
                    [$"must be a JSON object of metric name to number, found a {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"]);
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == FactsKey)
                {
                    facts = ParseFacts(property.Value, modelBytes, problems);
                }
                else if (!MetricName().IsMatch(property.Name))
                {
                    problems.Add($"metric name '{property.Name}' must be an identifier (letters, digits, underscore) so quality gates can write metrics.{property.Name}");
                }
                else if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value) || !double.IsFinite(value))
                {
                    problems.Add($"metric '{property.Name}' must be a finite number, found {property.Value.GetRawText()}");
                }
                else
                {
                    metrics[property.Name] = value;
                }
            }
        }
        if (metrics.Count == 0 && problems.Count == 0)
        {
            problems.Add("contains no metrics; quality gates need at least one");
        }
        if (facts is null && !problems.Any(p => p.StartsWith($"'{FactsKey}", StringComparison.Ordinal)))
        {
            problems.Add($"'{FactsKey}' is missing: the trainer must measure the exported model and record model.sizeMb and model.latencyP99Ms " +
                "(the builtin trainer does; a custom trainer can run `gitops train probe`)");
        }
        return new(metrics.ToImmutable(), facts, problems.ToImmutable());
    }

    /// <summary>The <c>model</c> object as written by a trainer.</summary>
    public static Dictionary<string, object> FactsObject(MeasuredFacts facts) => new(StringComparer.Ordinal)
    {
        ["sizeBytes"] = facts.SizeBytes,
        ["sizeMb"] = facts.SizeMb,
        ["latencyP50Ms"] = facts.LatencyP50Ms,
        ["latencyP99Ms"] = facts.LatencyP99Ms,
        ["latencyRuns"] = facts.LatencyRuns,
    };

    private static MeasuredFacts? ParseFacts(JsonElement element, long? modelBytes, ImmutableArray<string>.Builder problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"'{FactsKey}' must be an object with sizeMb and latencyP99Ms, found {element.GetRawText()}");
            return null;
        }
        double? Number(string name, bool required)
        {
            if (!element.TryGetProperty(name, out var value))
            {
                if (required)
                {
                    problems.Add($"'{FactsKey}.{name}' is missing");
                }
                return null;
            }
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number) || number < 0)
            {
                problems.Add($"'{FactsKey}.{name}' must be a finite number ≥ 0, found {value.GetRawText()}");
                return null;
            }
            return number;
        }
        var sizeMb = Number("sizeMb", required: true);
        var p99 = Number("latencyP99Ms", required: true);
        var p50 = Number("latencyP50Ms", required: false);
        var runs = Number("latencyRuns", required: false);
        var sizeBytes = Number("sizeBytes", required: false);
        if (sizeMb is null || p99 is null)
        {
            return null;
        }
        var bytes = sizeBytes is { } b ? (long)b : (long)Math.Round(sizeMb.Value * 1024 * 1024);
        if (modelBytes is { } actual && sizeBytes is not null && bytes != actual)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"'{FactsKey}.sizeBytes' is {bytes}, but model.onnx has {actual} bytes; measure the file that is published"));
        }
        return new MeasuredFacts(bytes, sizeMb.Value, p50 ?? p99.Value, p99.Value, (int)(runs ?? 0));
    }
}
