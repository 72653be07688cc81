using System.Collections.Immutable;
using System.Globalization;
using GitOps.Specs.Model;
using GitOps.Training.Builtin;
using GitOps.Training.Datasets;

namespace GitOps.Training.Tests;

/// <summary>A temporary folder with the fraud dataset and a synthetic regression dataset, shared by a test class.</summary>
public sealed class TrainingFixture : IDisposable
{
    public TrainingFixture()
    {
        Root = Directory.CreateTempSubdirectory("gitops-training-tests-").FullName;
        FraudCsv = Path.Combine(Root, "fraud.csv");
        FraudDataset.WriteFile(FraudCsv, 4000, 7);
        RegressionCsv = Path.Combine(Root, "regression.csv");
        WriteRegression(RegressionCsv, 2000);
    }

    public string Root { get; }
    public string FraudCsv { get; }
    public string RegressionCsv { get; }

    public string NewOutputDirectory() => Path.Combine(Root, "out-" + Guid.NewGuid().ToString("N")[..8]);

    public TrainingRequest FraudRequest(string algorithm, int seed = 1) => new()
    {
        DatasetPath = FraudCsv,
        Label = FraudDataset.Label,
        Task = ModelTasks.BinaryClassification,
        Algorithm = algorithm,
        Seed = seed,
        OutputDirectory = NewOutputDirectory(),
        Hyperparameters = algorithm switch
        {
            BuiltinAlgorithms.FastTree or BuiltinAlgorithms.FastForest => ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("numberOfTrees", "40")]),
            BuiltinAlgorithms.LightGbm => ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("numberOfIterations", "40")]),
            _ => ImmutableSortedDictionary<string, string>.Empty,
        },
    };

    public TrainingRequest RegressionRequest(string algorithm) => new()
    {
        DatasetPath = RegressionCsv,
        Label = "y",
        Task = ModelTasks.Regression,
        Algorithm = algorithm,
        Seed = 3,
        OutputDirectory = NewOutputDirectory(),
    };

    private static void WriteRegression(string path, int rows)
    {
        var random = new Random(11);
        using var writer = new StreamWriter(path);
        writer.Write("x1,x2,x3,y\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble() * 10;
            var x2 = random.NextDouble() * 5;
            var x3 = random.NextDouble();
            var y = 3 * x1 - 2 * x2 + 0.5 * x3 + random.NextDouble() * 0.5;
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{x3:F4},{y:F4}\n"));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
