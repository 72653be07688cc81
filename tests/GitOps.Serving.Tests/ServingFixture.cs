using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using GitOps.Serving.Batching;
using GitOps.Serving.Hosting;
using GitOps.Specs.Model;
using GitOps.Training.Builtin;
using GitOps.Training.Datasets;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GitOps.Serving.Tests;

/// <summary>
/// Trains the example fraud model once (real ML.NET, real ONNX export) and keeps ML.NET's own predictions
/// for the first rows, so tests can compare what the server answers with what the trainer computed.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public const int SampleRows = 200;

    public string Root { get; } = Directory.CreateTempSubdirectory("gitops-serving-tests-").FullName;
    public string ModelPath { get; private set; } = "";
    /// <summary>Feature rows in input order.</summary>
    public float[][] Rows { get; private set; } = [];
    public float[] ExpectedProbabilities { get; private set; } = [];
    public bool[] ExpectedLabels { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var dataset = Path.Combine(Root, "fraud.csv");
        FraudDataset.WriteFile(dataset, 3000, 21);
        var request = new TrainingRequest
        {
            DatasetPath = dataset,
            Label = FraudDataset.Label,
            Task = ModelTasks.BinaryClassification,
            Algorithm = BuiltinAlgorithms.FastTree,
            Seed = 4,
            Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfTrees", "30"),
            OutputDirectory = Path.Combine(Root, "model"),
        };
        var (outcome, model) = await new TabularTrainer(TimeProvider.System).TrainWithModelAsync(request, CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Error);
        ModelPath = outcome.Result!.ModelPath;

        var ml = new MLContext(seed: 1);
        var columns = FraudDataset.Features.Select((f, i) => new TextLoader.Column(f, DataKind.Single, i)).ToArray();
        var data = ml.Data.TakeRows(ml.Data.LoadFromTextFile(dataset, columns, separatorChar: ',', hasHeader: true), SampleRows);
        var scored = model!.Transform(data);
        ExpectedProbabilities = [.. scored.GetColumn<float>("Probability")];
        ExpectedLabels = [.. scored.GetColumn<bool>("PredictedLabel")];
        var byColumn = FraudDataset.Features.Select(f => data.GetColumn<float>(f).ToArray()).ToArray();
        Rows = [.. Enumerable.Range(0, SampleRows).Select(r => byColumn.Select(c => c[r]).ToArray())];
    }

    public ServerOptions Options(int maxBatchSize = 1, int maxDelayMs = 0) => new()
    {
        ModelPath = ModelPath,
        ModelName = "fraud",
        ModelVersion = "v1",
        Track = "canary",
        Port = 0,
        Batching = new BatchingOptions { MaxBatchSize = maxBatchSize, MaxDelay = TimeSpan.FromMilliseconds(maxDelayMs) },
        ShutdownTimeout = TimeSpan.FromSeconds(20),
    };

    public static Task<InferenceServer> StartAsync(ServerOptions options) =>
        InferenceServer.StartAsync(options, configureLogging: null, TimeProvider.System, CancellationToken.None);

    /// <summary>A v2 infer body with one [n, 1] FP32 tensor per feature for rows [from, from + count).</summary>
    public string InferBody(int from, int count, string? id = null) => InferBody(Rows, from, count, id);

    /// <summary>A v2 infer body for rows [from, from + count) of <paramref name="rows"/> (feature values in dataset order).</summary>
    public static string InferBody(IReadOnlyList<float[]> rows, int from, int count, string? id = null)
    {
        var json = new StringBuilder();
        json.Append('{');
        if (id is not null)
        {
            json.Append(CultureInfo.InvariantCulture, $"\"id\":\"{id}\",");
        }
        json.Append("\"inputs\":[");
        for (var f = 0; f < FraudDataset.Features.Count; f++)
        {
            if (f > 0)
            {
                json.Append(',');
            }
            json.Append(CultureInfo.InvariantCulture, $"{{\"name\":\"{FraudDataset.Features[f]}\",\"datatype\":\"FP32\",\"shape\":[{count},1],\"data\":[");
            json.Append(string.Join(',', Enumerable.Range(from, count).Select(r => rows[r][f].ToString("R", CultureInfo.InvariantCulture))));
            json.Append("]}");
        }
        json.Append("]}");
        return json.ToString();
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        return Task.CompletedTask;
    }
}
