using System.Collections.Immutable;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using GitOps.Registry.Records;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Training.Contract;
using GitOps.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GitOps.Training.Builtin;

/// <summary>
/// The builtin tabular trainer: CSV in, <c>model.onnx</c> + <c>metrics.json</c> + <c>lineage.json</c> out.
/// The exported graph takes one float32 <c>[-1, 1]</c> input per feature column (named after the column)
/// and returns <c>PredictedLabel</c>, <c>Score</c> and <c>Probability</c> (classification) or <c>Score</c>
/// (regression), each with ML.NET's <c>.output</c> suffix.
/// </summary>
public sealed class TabularTrainer(TimeProvider time)
{
    public const string TrainerName = "gitops-builtin";

    public static string TrainerVersion { get; } =
        typeof(TabularTrainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Trains, evaluates on the held-out split and writes the output contract.</summary>
    /// <param name="stages">Receives the metrics of every step when <see cref="TrainingRequest.ProgressSteps"/> is set.</param>
    public Task<TrainingOutcome> TrainAsync(TrainingRequest request, CancellationToken ct, IProgress<TrainingProgress>? progress = null,
        IProgress<TrainingStage>? stages = null) =>
        Task.Run(() => Train(request, ct, progress: progress, stages: stages), ct);

    /// <summary>The steps <see cref="TrainAsync"/> reports: read, fit, evaluate, export, measure.</summary>
    public const int Steps = 5;

    /// <summary>Trains and also returns the ML.NET model, for callers that compare it with its ONNX export.</summary>
    public async Task<(TrainingOutcome Outcome, ITransformer? Model)> TrainWithModelAsync(TrainingRequest request, CancellationToken ct)
    {
        ITransformer? model = null;
        var outcome = await Task.Run(() => Train(request, ct, m => model = m), ct);
        return (outcome, model);
    }

    private TrainingOutcome Train(TrainingRequest request, CancellationToken ct, Action<ITransformer>? onModel = null, IProgress<TrainingProgress>? progress = null,
        IProgress<TrainingStage>? stages = null)
    {
        void Report(int step, string phase) => progress?.Report(new TrainingProgress(step, Steps, phase));
        var startedAt = time.GetUtcNow();
        var start = time.GetTimestamp();
        if (request.ValidationFraction is <= 0 or >= 1 || double.IsNaN(request.ValidationFraction))
        {
            return TrainingOutcome.Invalid($"validation fraction must be between 0 and 1 (exclusive), found {request.ValidationFraction}");
        }
        var (parameters, paramError) = BuiltinCatalog.Check(request.Task, request.Algorithm, request.Hyperparameters);
        if (parameters is null)
        {
            return TrainingOutcome.Invalid(paramError!);
        }
        Report(1, "reading the dataset");
        var (scan, scanError) = CsvDatasetScan.Scan(request.DatasetPath, request.Label, request.Features, request.Task);
        if (scan is null)
        {
            return TrainingOutcome.Invalid(scanError!);
        }
        if (request.ExpectedDatasetSha256 is { } expected && !string.Equals(expected, scan.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return TrainingOutcome.Invalid($"dataset '{request.DatasetPath}' has sha256 {scan.Sha256}, but {expected.ToLowerInvariant()} was expected; update the spec's dataset digest or restore the data");
        }
        var minimumRows = (int)Math.Ceiling(2 / Math.Min(request.ValidationFraction, 1 - request.ValidationFraction));
        if (scan.Rows < Math.Max(10, minimumRows))
        {
            return TrainingOutcome.Invalid($"dataset '{request.DatasetPath}' has {scan.Rows} rows; at least {Math.Max(10, minimumRows)} are needed to train and validate");
        }
        if (request.Task == ModelTasks.BinaryClassification && (scan.PositiveRows == 0 || scan.PositiveRows == scan.Rows))
        {
            return TrainingOutcome.Invalid($"label '{request.Label}' has only one class in '{request.DatasetPath}'; binary classification needs both");
        }
        try
        {
            Directory.CreateDirectory(request.OutputDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return TrainingOutcome.Invalid($"output directory '{request.OutputDirectory}' cannot be created: {e.Message}");
        }

        var ml = new MLContext(seed: request.Seed);
        try
        {
            var binary = request.Task == ModelTasks.BinaryClassification;
            var featureColumns = scan.Features
                .Select((name, i) => new TextLoader.Column(name, DataKind.Single, scan.FeatureIndexes[i]))
                .ToArray();
            var labelColumn = new TextLoader.Column(request.Label, binary ? DataKind.Boolean : DataKind.Single, scan.LabelIndex);
            var data = ml.Data.LoadFromTextFile(request.DatasetPath, [.. featureColumns, labelColumn], separatorChar: ',', hasHeader: true);
            // Caching makes the split materialise once; every later pass reads the same rows.
            var split = ml.Data.TrainTestSplit(data, request.ValidationFraction, seed: request.Seed);
            var trainSet = ml.Data.Cache(split.TrainSet);
            var validationSet = ml.Data.Cache(split.TestSet);
            var trainRows = CountRows(trainSet);
            var validationRows = CountRows(validationSet);
            var loaded = time.GetTimestamp();

            Report(2, $"fitting {request.Algorithm} on {trainRows} rows");
            var iterations = Algorithms.IterationParameter(request.Algorithm) is { } counted
                ? (int)parameters.GetValueOrDefault(counted.Name, counted.Default) : 0;
            if (request.ProgressSteps > 1 && Algorithms.IterationParameter(request.Algorithm) is { } stepped)
            {
                // A smaller ensemble of the same kind stands for the model part-way through: each step is a real fit and
                // evaluation, so a trial the median stopping rule stops has spent only its earlier steps.
                for (var step = 1; step < request.ProgressSteps; step++)
                {
                    var count = Math.Max(1, iterations * step / request.ProgressSteps);
                    var partial = new Dictionary<string, double>(parameters, StringComparer.Ordinal) { [stepped.Name] = count };
                    var partialModel = ml.Transforms.Concatenate(Algorithms.FeaturesColumn, [.. scan.Features])
                        .Append(Algorithms.Create(ml, request.Task, request.Algorithm, request.Label, request.Seed, partial))
                        .Fit(trainSet);
                    var partialScored = partialModel.Transform(validationSet);
                    stages?.Report(new TrainingStage(step, request.ProgressSteps, count,
                        binary ? ClassificationMetrics(ml, partialScored, request.Label) : RegressionMetrics(ml, partialScored, request.Label), time.GetUtcNow()));
                    ct.ThrowIfCancellationRequested();
                }
            }
            var pipeline = ml.Transforms.Concatenate(Algorithms.FeaturesColumn, [.. scan.Features])
                .Append(Algorithms.Create(ml, request.Task, request.Algorithm, request.Label, request.Seed, parameters));
            var model = pipeline.Fit(trainSet);
            var trained = time.GetTimestamp();
            ct.ThrowIfCancellationRequested();

            Report(3, $"evaluating on {validationRows} rows");
            var scored = model.Transform(validationSet);
            var metrics = binary ? ClassificationMetrics(ml, scored, request.Label) : RegressionMetrics(ml, scored, request.Label);
            var notFinite = metrics.Where(m => !double.IsFinite(m.Value)).Select(m => m.Key).ToList();
            if (notFinite.Count > 0)
            {
                return TrainingOutcome.Failure($"evaluation produced non-finite {string.Join(", ", notFinite)} on {validationRows} validation rows; use more data or a larger validation fraction");
            }
            var evaluated = time.GetTimestamp();
            ct.ThrowIfCancellationRequested();
            if (request.ProgressSteps > 0)
            {
                stages?.Report(new TrainingStage(request.ProgressSteps, request.ProgressSteps, iterations, metrics, time.GetUtcNow()));
            }

            Report(4, "exporting ONNX");
            var modelPath = Path.Combine(request.OutputDirectory, TrainerOutput.ModelFile);
            var featuresOnly = ml.Data.LoadFromTextFile(request.DatasetPath, featureColumns, separatorChar: ',', hasHeader: true);
            string[] outputs = binary ? ["PredictedLabel", "Score", "Probability"] : ["Score"];
            using (var stream = File.Create(modelPath))
            {
                ml.Model.ConvertToOnnx(model, featuresOnly, stream, outputs);
            }
            var onnx = File.ReadAllBytes(modelPath);
            var (signature, onnxError) = OnnxGraphReader.TryRead(onnx);
            if (signature is null)
            {
                return TrainingOutcome.Failure($"the exported model cannot be read back: {onnxError}");
            }
            var exported = time.GetTimestamp();
            ct.ThrowIfCancellationRequested();
            onModel?.Invoke(model);
            Report(5, "measuring latency");
            var (facts, probeError) = LatencyProbe.Measure(modelPath, request.LatencyRuns, time);
            if (facts is null)
            {
                return TrainingOutcome.Failure(probeError!);
            }
            ct.ThrowIfCancellationRequested();

            File.WriteAllText(Path.Combine(request.OutputDirectory, TrainingProfile.File),
                Profile(model.Transform(trainSet), scan.Features, binary ? "Probability" : "Score").Serialize());

            var metricsPath = Path.Combine(request.OutputDirectory, TrainerOutput.MetricsFile);
            var metricsFile = new SortedDictionary<string, object>(metrics.ToDictionary(m => m.Key, m => (object)m.Value), StringComparer.Ordinal)
            {
                [MetricsFile.FactsKey] = MetricsFile.FactsObject(facts),
            };
            File.WriteAllText(metricsPath, JsonSerializer.Serialize(metricsFile, TrainerOutput.Json) + "\n");

            var lineage = new TrainingLineage
            {
                Trainer = new TrainerInfo(TrainerName, TrainerVersion),
                Model = request.ModelName,
                Version = request.ModelVersion,
                Dataset = new DatasetInfo(request.DatasetSource ?? request.DatasetPath, scan.Sha256, scan.Rows, trainRows, validationRows),
                Task = request.Task,
                Algorithm = request.Algorithm,
                Seed = request.Seed,
                Hyperparameters = request.Hyperparameters,
                Label = request.Label,
                Features = scan.Features,
                ValidationFraction = request.ValidationFraction,
                Timing = new TimingInfo(
                    startedAt,
                    time.GetUtcNow(),
                    Seconds(start, loaded),
                    Seconds(loaded, trained),
                    Seconds(trained, evaluated),
                    Seconds(evaluated, exported),
                    Seconds(start, time.GetTimestamp())),
                Artifact = new ArtifactInfo(TrainerOutput.ModelFile, Convert.ToHexStringLower(SHA256.HashData(onnx)), onnx.Length, signature.Inputs, signature.Outputs),
            };
            var lineagePath = Path.Combine(request.OutputDirectory, TrainerOutput.LineageFile);
            File.WriteAllText(lineagePath, JsonSerializer.Serialize(lineage, TrainerOutput.Json) + "\n");
            return TrainingOutcome.Success(new TrainingResult(modelPath, metricsPath, lineagePath, metrics, lineage, facts));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or IOException or NotSupportedException or DllNotFoundException)
        {
            return TrainingOutcome.Failure($"{request.Algorithm} training failed: {e.Message}");
        }
    }

    /// <summary>Most training rows profiled: enough for stable percentiles, bounded for large datasets.</summary>
    public const int ProfiledRows = 100_000;

    /// <summary>The reference profile of the training rows: each feature column, and the model's score on them (the
    /// exported graph's output of the same name, so the server compares like with like).</summary>
    private static TrainingProfile Profile(IDataView scored, ImmutableArray<string> features, string scoreColumn)
    {
        var values = features.Select(_ => new List<double>()).ToArray();
        var scores = new List<double>();
        var columns = features.Select(f => scored.Schema[f]).Append(scored.Schema[scoreColumn]).ToArray();
        using var cursor = scored.GetRowCursor(columns);
        var getters = features.Select(f => cursor.GetGetter<float>(scored.Schema[f])).ToArray();
        var score = cursor.GetGetter<float>(scored.Schema[scoreColumn]);
        long rows = 0;
        float value = 0;
        while (rows < ProfiledRows && cursor.MoveNext())
        {
            for (var i = 0; i < getters.Length; i++)
            {
                getters[i](ref value);
                values[i].Add(value);
            }
            score(ref value);
            scores.Add(value);
            rows++;
        }
        return new TrainingProfile(TrainingProfile.CurrentSchema, rows,
            [.. features.Select((f, i) => FeatureProfile.Of(f, values[i]))],
            FeatureProfile.Of(scoreColumn, scores));
    }

    private double Seconds(long from, long to) => Math.Round(time.GetElapsedTime(from, to).TotalSeconds, 3);

    private static long CountRows(IDataView view)
    {
        long rows = 0;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            rows++;
        }
        return rows;
    }

    private static ImmutableSortedDictionary<string, double> ClassificationMetrics(MLContext ml, IDataView scored, string label)
    {
        var m = ml.BinaryClassification.Evaluate(scored, labelColumnName: label);
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["auc"] = m.AreaUnderRocCurve,
            ["auprc"] = m.AreaUnderPrecisionRecallCurve,
            ["accuracy"] = m.Accuracy,
            ["f1"] = m.F1Score,
            ["logLoss"] = m.LogLoss,
            ["precision"] = m.PositivePrecision,
            ["recall"] = m.PositiveRecall,
        }.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    private static ImmutableSortedDictionary<string, double> RegressionMetrics(MLContext ml, IDataView scored, string label)
    {
        var m = ml.Regression.Evaluate(scored, labelColumnName: label);
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["rmse"] = m.RootMeanSquaredError,
            ["mae"] = m.MeanAbsoluteError,
            ["r2"] = m.RSquared,
        }.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }
}
