using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Registry.Records;
using GitOps.Specs.Contracts;
using GitOps.Training.Onnx;

namespace GitOps.Training.Contract;

/// <summary>One way in which an output directory breaks the trainer contract.</summary>
public sealed record OutputProblem(string File, string Message)
{
    public override string ToString() => $"{File}: {Message}";
}

/// <summary>The verdict on an output directory: problems (none means it honours the contract) and what was read.</summary>
public sealed record OutputVerification(
    ImmutableArray<OutputProblem> Problems, OnnxSignature? Signature, ImmutableSortedDictionary<string, double> Metrics, MeasuredFacts? Facts)
{
    public bool IsValid => Problems.IsEmpty;
}

/// <summary>
/// Checks a directory against the trainer output contract: <c>model.onnx</c> is an ONNX graph with inputs and
/// outputs, <c>metrics.json</c> an object of finite numbers plus the measured <c>model</c> facts, <c>lineage.json</c> names the dataset digest,
/// row count, trainer, hyperparameters and timing. Used by <c>gitops train verify-output</c> and by the
/// platform before it registers a model.
/// </summary>
public static partial class OutputVerifier
{
    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    public static OutputVerification Verify(string directory, string? expectedDatasetSha256 = null)
    {
        var problems = ImmutableArray.CreateBuilder<OutputProblem>();
        if (!Directory.Exists(directory))
        {
            problems.Add(new OutputProblem(directory, "the output directory does not exist"));
            return new OutputVerification(problems.ToImmutable(), null, ImmutableSortedDictionary<string, double>.Empty, null);
        }
        var signature = VerifyModel(Path.Combine(directory, TrainerOutput.ModelFile), problems);
        var modelPath = Path.Combine(directory, TrainerOutput.ModelFile);
        var (metrics, facts) = VerifyMetrics(Path.Combine(directory, TrainerOutput.MetricsFile),
            File.Exists(modelPath) ? new FileInfo(modelPath).Length : null, problems);
        VerifyLineage(Path.Combine(directory, TrainerOutput.LineageFile), expectedDatasetSha256, problems);
        VerifyProfile(Path.Combine(directory, TrainingProfile.File), signature, problems);
        return new OutputVerification(problems.ToImmutable(), signature, metrics, facts);
    }

    /// <summary>
    /// <c>profile.json</c> is optional (without it the server measures no drift), but when present it must parse and
    /// profile only inputs the model has, so that a server never refuses to start on it.
    /// </summary>
    private static void VerifyProfile(string path, OnnxSignature? signature, ImmutableArray<OutputProblem>.Builder problems)
    {
        if (!File.Exists(path))
        {
            return;
        }
        var (profile, error) = TrainingProfile.Parse(File.ReadAllBytes(path));
        if (profile is null)
        {
            problems.Add(new OutputProblem(TrainingProfile.File, error!));
            return;
        }
        if (signature is null)
        {
            return;
        }
        foreach (var feature in profile.Features.Where(f => signature.Inputs.All(i => i.Name != (f.Input ?? f.Name))))
        {
            problems.Add(new OutputProblem(TrainingProfile.File,
                $"feature '{feature.Name}' names input '{feature.Input ?? feature.Name}', which the model does not have; inputs: {string.Join(", ", signature.Inputs.Select(i => i.Name))}"));
        }
    }

    private static OnnxSignature? VerifyModel(string path, ImmutableArray<OutputProblem>.Builder problems)
    {
        const string file = TrainerOutput.ModelFile;
        if (!File.Exists(path))
        {
            problems.Add(new OutputProblem(file, "missing; the trainer must write the model as ONNX to this file"));
            return null;
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
        {
            problems.Add(new OutputProblem(file, "is empty"));
            return null;
        }
        var (signature, error) = OnnxGraphReader.TryRead(bytes);
        if (signature is null)
        {
            problems.Add(new OutputProblem(file, error!));
            return null;
        }
        if (signature.Inputs.IsEmpty)
        {
            problems.Add(new OutputProblem(file, "the graph declares no inputs"));
        }
        if (signature.Outputs.IsEmpty)
        {
            problems.Add(new OutputProblem(file, "the graph declares no outputs"));
        }
        foreach (var input in signature.Inputs.Where(i => i.Type is "unknown" or "string"))
        {
            problems.Add(new OutputProblem(file, $"input '{input.Name}' has type {input.Type}; the inference server takes numeric or bool tensors"));
        }
        return signature;
    }

    private static (ImmutableSortedDictionary<string, double> Metrics, MeasuredFacts? Facts) VerifyMetrics(
        string path, long? modelBytes, ImmutableArray<OutputProblem>.Builder problems)
    {
        const string file = TrainerOutput.MetricsFile;
        if (!File.Exists(path))
        {
            problems.Add(new OutputProblem(file, "missing"));
            return (ImmutableSortedDictionary<string, double>.Empty, null);
        }
        var content = MetricsFile.Parse(File.ReadAllBytes(path), modelBytes);
        problems.AddRange(content.Problems.Select(p => new OutputProblem(file, p)));
        return (content.Metrics, content.Facts);
    }

    private static void VerifyLineage(string path, string? expectedDatasetSha256, ImmutableArray<OutputProblem>.Builder problems)
    {
        const string file = TrainerOutput.LineageFile;
        using var document = ReadJson(path, file, problems);
        if (document is null)
        {
            return;
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new OutputProblem(file, "must be a JSON object"));
            return;
        }
        void Require(string pointer, JsonValueKind kind, Func<JsonElement, string?>? check = null)
        {
            var element = root;
            foreach (var segment in pointer.Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
                {
                    problems.Add(new OutputProblem(file, $"'{pointer}' is missing"));
                    return;
                }
            }
            if (element.ValueKind != kind)
            {
                problems.Add(new OutputProblem(file, $"'{pointer}' must be a {kind.ToString().ToLowerInvariant()}, found {element.GetRawText()}"));
                return;
            }
            var error = check?.Invoke(element);
            if (error is not null)
            {
                problems.Add(new OutputProblem(file, $"'{pointer}' {error}"));
            }
        }

        Require("trainer.name", JsonValueKind.String, NotEmpty);
        Require("trainer.version", JsonValueKind.String, NotEmpty);
        Require("dataset.sha256", JsonValueKind.String, e =>
        {
            var sha = e.GetString()!;
            if (!Sha256Hex().IsMatch(sha))
            {
                return $"must be 64 lowercase hex digits, found '{sha}'";
            }
            return expectedDatasetSha256 is not null && !string.Equals(sha, expectedDatasetSha256, StringComparison.OrdinalIgnoreCase)
                ? $"is {sha} but the dataset given to the trainer has sha256 {expectedDatasetSha256.ToLowerInvariant()}"
                : null;
        });
        Require("dataset.rows", JsonValueKind.Number, e => e.TryGetInt64(out var rows) && rows > 0 ? null : $"must be a positive whole number, found {e.GetRawText()}");
        Require("hyperparameters", JsonValueKind.Object);
        Require("timing.startedAt", JsonValueKind.String, Timestamp);
        Require("timing.finishedAt", JsonValueKind.String, Timestamp);
    }

    private static string? NotEmpty(JsonElement e) => string.IsNullOrWhiteSpace(e.GetString()) ? "must not be empty" : null;

    private static string? Timestamp(JsonElement e) =>
        DateTimeOffset.TryParse(e.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
            ? null
            : $"must be an ISO 8601 timestamp, found '{e.GetString()}'";

    private static JsonDocument? ReadJson(string path, string file, ImmutableArray<OutputProblem>.Builder problems)
    {
        if (!File.Exists(path))
        {
            problems.Add(new OutputProblem(file, "missing"));
            return null;
        }
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            problems.Add(new OutputProblem(file, $"is not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('.')[0]}"));
            return null;
        }
    }
}
