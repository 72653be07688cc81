using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using GitOps.Specs.Contracts;
using GitOps.Training.Builtin;

namespace GitOps.Training.Contract;

/// <summary>
/// Training inputs as far as they are known; <c>null</c> means "not given here". Command-line options and
/// the contract's environment variables both produce one, and <see cref="TrainerEnvironment.Merge"/> layers them.
/// </summary>
public sealed record TrainerInputs
{
    public string? Dataset { get; init; }
    /// <summary>Where to fetch the dataset from when <see cref="Dataset"/> is not given.</summary>
    public string? DatasetUri { get; init; }
    /// <summary>Where to publish the output directory after a successful run.</summary>
    public string? ArtifactUri { get; init; }
    public string? DatasetSha256 { get; init; }
    public string? Label { get; init; }
    public ImmutableArray<string>? Features { get; init; }
    public string? Task { get; init; }
    public string? Algorithm { get; init; }
    public int? Seed { get; init; }
    public ImmutableSortedDictionary<string, string>? Hyperparameters { get; init; }
    public string? OutputDirectory { get; init; }
    public double? ValidationFraction { get; init; }
    public string? ModelName { get; init; }
    public string? ModelVersion { get; init; }
    /// <summary>Steps at which to report intermediate metrics (experiment trials); null or 0: none.</summary>
    public int? ProgressSteps { get; init; }
}

/// <summary>
/// The environment variables through which the platform hands a training Job its inputs — the same for
/// the builtin trainer and custom training images (<c>docs/training.md</c>).
/// </summary>
public static class TrainerEnvironment
{
    public const string Dataset = TrainingContract.Dataset;
    public const string DatasetSha256 = TrainingContract.DatasetSha256;
    public const string Label = TrainingContract.Label;
    public const string Features = TrainingContract.Features;
    public const string Task = TrainingContract.Task;
    public const string Algorithm = TrainingContract.Algorithm;
    public const string Seed = TrainingContract.Seed;
    public const string Hyperparameters = TrainingContract.Hyperparameters;
    public const string OutputDir = TrainingContract.OutputDir;
    public const string ValidationFraction = TrainingContract.ValidationFraction;
    public const string ModelName = TrainingContract.ModelName;
    public const string ModelVersion = TrainingContract.ModelVersion;
    public const string DatasetUri = TrainingContract.DatasetUri;
    public const string ArtifactUri = TrainingContract.ArtifactUri;
    public const string ProgressSteps = TrainingContract.ProgressSteps;

    /// <summary>Reads the contract's variables; a malformed value is an error naming the variable.</summary>
    public static (TrainerInputs? Inputs, string? Error) Read(Func<string, string?> environment)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } v ? v.Trim() : null;

        int? seed = null;
        if (Get(Seed) is { } seedText)
        {
            if (!int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
            {
                return (null, $"{Seed} must be a whole number, found '{seedText}'");
            }
            seed = s;
        }
        double? fraction = null;
        if (Get(ValidationFraction) is { } fractionText)
        {
            if (!double.TryParse(fractionText, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
            {
                return (null, $"{ValidationFraction} must be a number between 0 and 1, found '{fractionText}'");
            }
            fraction = f;
        }
        int? progressSteps = null;
        if (Get(ProgressSteps) is { } stepsText)
        {
            if (!int.TryParse(stepsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var steps) || steps is < 0 or > 100)
            {
                return (null, $"{ProgressSteps} must be a whole number from 0 to 100, found '{stepsText}'");
            }
            progressSteps = steps;
        }
        ImmutableSortedDictionary<string, string>? hyperparameters = null;
        if (Get(Hyperparameters) is { } json)
        {
            var (parsed, error) = ParseHyperparameters(json);
            if (parsed is null)
            {
                return (null, $"{Hyperparameters}: {error}");
            }
            hyperparameters = parsed;
        }
        return (new TrainerInputs
        {
            Dataset = Get(Dataset),
            DatasetUri = Get(DatasetUri),
            ArtifactUri = Get(ArtifactUri),
            DatasetSha256 = Get(DatasetSha256),
            Label = Get(Label),
            Features = Get(Features) is { } features
                ? [.. features.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : null,
            Task = Get(Task),
            Algorithm = Get(Algorithm),
            Seed = seed,
            Hyperparameters = hyperparameters,
            OutputDirectory = Get(OutputDir),
            ValidationFraction = fraction,
            ModelName = Get(ModelName),
            ModelVersion = Get(ModelVersion),
            ProgressSteps = progressSteps,
        }, null);
    }

    /// <summary>Parses a JSON object whose values are strings, numbers or booleans into sorted text values.</summary>
    public static (ImmutableSortedDictionary<string, string>? Values, string? Error) ParseHyperparameters(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "must be a JSON object such as {\"numberOfTrees\": 100}");
            }
            var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        values[property.Name] = property.Value.GetString()!;
                        break;
                    case JsonValueKind.Number:
                        values[property.Name] = property.Value.GetRawText();
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        values[property.Name] = property.Value.ValueKind == JsonValueKind.True ? "true" : "false";
                        break;
                    default:
                        return (null, $"value of '{property.Name}' must be a string, number or boolean");
                }
            }
            return (values.ToImmutable(), null);
        }
        catch (JsonException e)
        {
            return (null, $"is not valid JSON: {e.Message.Split('.')[0]}");
        }
    }

    /// <summary>Values of <paramref name="primary"/> win; missing ones come from <paramref name="fallback"/>.</summary>
    public static TrainerInputs Merge(TrainerInputs primary, TrainerInputs fallback) => new()
    {
        Dataset = primary.Dataset ?? fallback.Dataset,
        DatasetUri = primary.DatasetUri ?? fallback.DatasetUri,
        ArtifactUri = primary.ArtifactUri ?? fallback.ArtifactUri,
        DatasetSha256 = primary.DatasetSha256 ?? fallback.DatasetSha256,
        Label = primary.Label ?? fallback.Label,
        Features = primary.Features ?? fallback.Features,
        Task = primary.Task ?? fallback.Task,
        Algorithm = primary.Algorithm ?? fallback.Algorithm,
        Seed = primary.Seed ?? fallback.Seed,
        Hyperparameters = primary.Hyperparameters is null ? fallback.Hyperparameters
            : fallback.Hyperparameters is null ? primary.Hyperparameters
            : fallback.Hyperparameters.SetItems(primary.Hyperparameters),
        OutputDirectory = primary.OutputDirectory ?? fallback.OutputDirectory,
        ValidationFraction = primary.ValidationFraction ?? fallback.ValidationFraction,
        ModelName = primary.ModelName ?? fallback.ModelName,
        ModelVersion = primary.ModelVersion ?? fallback.ModelVersion,
        ProgressSteps = primary.ProgressSteps ?? fallback.ProgressSteps,
    };

    /// <summary>Turns complete inputs into a request, or names every required value that is missing.</summary>
    public static (TrainingRequest? Request, string? Error) ToRequest(TrainerInputs inputs)
    {
        var missing = new List<string>();
        if (inputs.Dataset is null) { missing.Add($"--dataset, {Dataset} or {DatasetUri}"); }
        if (inputs.Label is null) { missing.Add($"--label or {Label}"); }
        if (inputs.Task is null) { missing.Add($"--task or {Task}"); }
        if (inputs.Algorithm is null) { missing.Add($"--algorithm or {Algorithm}"); }
        if (inputs.OutputDirectory is null) { missing.Add($"--out or {OutputDir}"); }
        if (missing.Count > 0)
        {
            return (null, $"missing {string.Join(", ", missing)}");
        }
        return (new TrainingRequest
        {
            DatasetPath = inputs.Dataset!,
            ExpectedDatasetSha256 = inputs.DatasetSha256,
            Label = inputs.Label!,
            Features = inputs.Features ?? [],
            Task = inputs.Task!,
            Algorithm = inputs.Algorithm!,
            Seed = inputs.Seed ?? 0,
            Hyperparameters = inputs.Hyperparameters ?? ImmutableSortedDictionary<string, string>.Empty,
            OutputDirectory = inputs.OutputDirectory!,
            ValidationFraction = inputs.ValidationFraction ?? 0.2,
            ModelName = inputs.ModelName,
            ModelVersion = inputs.ModelVersion,
            ProgressSteps = inputs.ProgressSteps ?? 0,
        }, null);
    }

    /// <summary>The variables a training Job gets for a request (what the platform sets in the pod).</summary>
    public static ImmutableSortedDictionary<string, string> ToEnvironment(TrainingRequest request)
    {
        var env = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        env[Dataset] = request.DatasetPath;
        env[Label] = request.Label;
        env[Task] = request.Task;
        env[Algorithm] = request.Algorithm;
        env[Seed] = request.Seed.ToString(CultureInfo.InvariantCulture);
        env[Hyperparameters] = JsonSerializer.Serialize(request.Hyperparameters);
        env[OutputDir] = request.OutputDirectory;
        env[ValidationFraction] = request.ValidationFraction.ToString("R", CultureInfo.InvariantCulture);
        if (!request.Features.IsDefaultOrEmpty) { env[Features] = string.Join(',', request.Features); }
        if (request.ExpectedDatasetSha256 is { } sha) { env[DatasetSha256] = sha; }
        if (request.ModelName is { } name) { env[ModelName] = name; }
        if (request.ModelVersion is { } version) { env[ModelVersion] = version; }
        return env.ToImmutable();
    }
}
