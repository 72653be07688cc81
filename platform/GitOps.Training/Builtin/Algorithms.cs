using System.Collections.Immutable;
using System.Globalization;
using GitOps.Specs.Model;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace GitOps.Training.Builtin;

/// <summary>
/// The builtin algorithms per task and the hyperparameters each accepts. Every trainer runs on one thread
/// with the request's seed, so the same inputs give the same model.
/// </summary>
public static class Algorithms
{
    internal const string FeaturesColumn = "Features";

    /// <summary>Algorithms available for a task.</summary>
    public static ImmutableArray<string> For(string task) => task switch
    {
        ModelTasks.BinaryClassification => [BuiltinAlgorithms.FastTree, BuiltinAlgorithms.LightGbm, BuiltinAlgorithms.SdcaLogisticRegression, BuiltinAlgorithms.FastForest],
        ModelTasks.Regression => [BuiltinAlgorithms.FastTree, BuiltinAlgorithms.LightGbm, BuiltinAlgorithms.Sdca, BuiltinAlgorithms.FastForest],
        _ => [],
    };

    /// <summary>Hyperparameter names an algorithm accepts (the same for both tasks).</summary>
    public static ImmutableArray<string> HyperparametersOf(string algorithm) =>
        Parameters.TryGetValue(algorithm, out var table) ? [.. table.Keys.Order(StringComparer.Ordinal)] : [];

    /// <summary>
    /// The hyperparameter that counts an algorithm's trees or iterations and its default, for training in steps;
    /// null for algorithms that converge rather than grow (SDCA).
    /// </summary>
    internal static (string Name, int Default)? IterationParameter(string algorithm) => algorithm switch
    {
        BuiltinAlgorithms.FastTree or BuiltinAlgorithms.FastForest => ("numberOfTrees", 100),
        BuiltinAlgorithms.LightGbm => ("numberOfIterations", 100),
        _ => null,
    };

    private enum Kind { Int, Double }

    private sealed record Parameter(Kind Kind, double Min, double Max);

    private static readonly ImmutableDictionary<string, ImmutableDictionary<string, Parameter>> Parameters =
        new Dictionary<string, ImmutableDictionary<string, Parameter>>
        {
            [BuiltinAlgorithms.FastTree] = Table(("numberOfLeaves", Kind.Int, 2, 1024), ("numberOfTrees", Kind.Int, 1, 10_000), ("minimumExampleCountPerLeaf", Kind.Int, 1, 100_000), ("learningRate", Kind.Double, 1e-6, 10)),
            [BuiltinAlgorithms.FastForest] = Table(("numberOfLeaves", Kind.Int, 2, 1024), ("numberOfTrees", Kind.Int, 1, 10_000), ("minimumExampleCountPerLeaf", Kind.Int, 1, 100_000), ("featureFraction", Kind.Double, 1e-6, 1)),
            [BuiltinAlgorithms.LightGbm] = Table(("numberOfLeaves", Kind.Int, 2, 131_072), ("numberOfIterations", Kind.Int, 1, 10_000), ("minimumExampleCountPerLeaf", Kind.Int, 1, 100_000), ("learningRate", Kind.Double, 1e-6, 10)),
            [BuiltinAlgorithms.SdcaLogisticRegression] = Table(("l1Regularization", Kind.Double, 0, 1e6), ("l2Regularization", Kind.Double, 1e-12, 1e6), ("maximumNumberOfIterations", Kind.Int, 1, 100_000)),
            [BuiltinAlgorithms.Sdca] = Table(("l1Regularization", Kind.Double, 0, 1e6), ("l2Regularization", Kind.Double, 1e-12, 1e6), ("maximumNumberOfIterations", Kind.Int, 1, 100_000)),
        }.ToImmutableDictionary();

    private static ImmutableDictionary<string, Parameter> Table(params (string Name, Kind Kind, double Min, double Max)[] entries) =>
        entries.ToImmutableDictionary(e => e.Name, e => new Parameter(e.Kind, e.Min, e.Max), StringComparer.Ordinal);

    /// <summary>Checks the task/algorithm pair and every hyperparameter; returns parsed values or an error.</summary>
    internal static (IReadOnlyDictionary<string, double>? Values, string? Error) Validate(
        string task, string algorithm, IReadOnlyDictionary<string, string> hyperparameters)
    {
        if (task != ModelTasks.BinaryClassification && task != ModelTasks.Regression)
        {
            return (null, $"task '{task}' is not supported by the builtin trainer; use '{ModelTasks.BinaryClassification}' or '{ModelTasks.Regression}'");
        }
        var allowed = For(task);
        if (!allowed.Contains(algorithm))
        {
            return (null, $"algorithm '{algorithm}' is not available for {task}; choose one of: {string.Join(", ", allowed)}");
        }
        var table = Parameters[algorithm];
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, text) in hyperparameters)
        {
            if (!table.TryGetValue(name, out var parameter))
            {
                return (null, $"hyperparameter '{name}' is not known to {algorithm}; accepted: {string.Join(", ", HyperparametersOf(algorithm))}");
            }
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                return (null, $"hyperparameter '{name}' must be a number, found '{text}'");
            }
            if (parameter.Kind == Kind.Int && value != Math.Floor(value))
            {
                return (null, $"hyperparameter '{name}' must be a whole number, found '{text}'");
            }
            if (value < parameter.Min || value > parameter.Max)
            {
                return (null, $"hyperparameter '{name}' must be between {parameter.Min.ToString(CultureInfo.InvariantCulture)} and {parameter.Max.ToString(CultureInfo.InvariantCulture)}, found '{text}'");
            }
            values[name] = value;
        }
        return (values, null);
    }

    /// <summary>The estimator that follows feature concatenation, configured from validated values.</summary>
    internal static IEstimator<ITransformer> Create(MLContext ml, string task, string algorithm, string label, int seed, IReadOnlyDictionary<string, double> p)
    {
        int? I(string name) => p.TryGetValue(name, out var v) ? (int)v : null;
        double? D(string name) => p.TryGetValue(name, out var v) ? v : null;
        var binary = task == ModelTasks.BinaryClassification;

        switch (algorithm)
        {
            case BuiltinAlgorithms.FastTree when binary:
                {
                    var o = new FastTreeBinaryTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, Seed = seed, NumberOfThreads = 1 };
                    ApplyTree(o, I, D);
                    return ml.BinaryClassification.Trainers.FastTree(o);
                }
            case BuiltinAlgorithms.FastTree:
                {
                    var o = new FastTreeRegressionTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, Seed = seed, NumberOfThreads = 1 };
                    ApplyTree(o, I, D);
                    return ml.Regression.Trainers.FastTree(o);
                }
            case BuiltinAlgorithms.FastForest when binary:
                {
                    var o = new FastForestBinaryTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, Seed = seed, NumberOfThreads = 1 };
                    ApplyForest(o, I, D);
                    // A forest's scores are vote fractions, not probabilities: calibrate so Probability exists.
                    return ml.BinaryClassification.Trainers.FastForest(o)
                        .Append(ml.BinaryClassification.Calibrators.Platt(labelColumnName: label));
                }
            case BuiltinAlgorithms.FastForest:
                {
                    var o = new FastForestRegressionTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, Seed = seed, NumberOfThreads = 1 };
                    ApplyForest(o, I, D);
                    return ml.Regression.Trainers.FastForest(o);
                }
            case BuiltinAlgorithms.LightGbm when binary:
                {
                    var o = new LightGbmBinaryTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, Seed = seed, NumberOfThreads = 1 };
                    o.NumberOfLeaves = I("numberOfLeaves") ?? o.NumberOfLeaves;
                    o.NumberOfIterations = I("numberOfIterations") ?? o.NumberOfIterations;
                    o.MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf") ?? o.MinimumExampleCountPerLeaf;
                    o.LearningRate = D("learningRate") ?? o.LearningRate;
                    return ml.BinaryClassification.Trainers.LightGbm(o);
                }
            case BuiltinAlgorithms.LightGbm:
                {
                    var o = new LightGbmRegressionTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, Seed = seed, NumberOfThreads = 1 };
                    o.NumberOfLeaves = I("numberOfLeaves") ?? o.NumberOfLeaves;
                    o.NumberOfIterations = I("numberOfIterations") ?? o.NumberOfIterations;
                    o.MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf") ?? o.MinimumExampleCountPerLeaf;
                    o.LearningRate = D("learningRate") ?? o.LearningRate;
                    return ml.Regression.Trainers.LightGbm(o);
                }
            case BuiltinAlgorithms.SdcaLogisticRegression:
                {
                    var o = new SdcaLogisticRegressionBinaryTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, NumberOfThreads = 1 };
                    o.L1Regularization = (float?)D("l1Regularization") ?? o.L1Regularization;
                    o.L2Regularization = (float?)D("l2Regularization") ?? o.L2Regularization;
                    o.MaximumNumberOfIterations = I("maximumNumberOfIterations") ?? o.MaximumNumberOfIterations;
                    return ml.Transforms.NormalizeMinMax(FeaturesColumn).Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(o));
                }
            case BuiltinAlgorithms.Sdca:
                {
                    var o = new SdcaRegressionTrainer.Options { LabelColumnName = label, FeatureColumnName = FeaturesColumn, NumberOfThreads = 1 };
                    o.L1Regularization = (float?)D("l1Regularization") ?? o.L1Regularization;
                    o.L2Regularization = (float?)D("l2Regularization") ?? o.L2Regularization;
                    o.MaximumNumberOfIterations = I("maximumNumberOfIterations") ?? o.MaximumNumberOfIterations;
                    return ml.Transforms.NormalizeMinMax(FeaturesColumn).Append(ml.Regression.Trainers.Sdca(o));
                }
            default:
                throw new ArgumentException($"algorithm '{algorithm}' for task '{task}' was not validated", nameof(algorithm));
        }
    }

    private static void ApplyTree(BoostedTreeOptions o, Func<string, int?> i, Func<string, double?> d)
    {
        o.NumberOfLeaves = i("numberOfLeaves") ?? o.NumberOfLeaves;
        o.NumberOfTrees = i("numberOfTrees") ?? o.NumberOfTrees;
        o.MinimumExampleCountPerLeaf = i("minimumExampleCountPerLeaf") ?? o.MinimumExampleCountPerLeaf;
        o.LearningRate = d("learningRate") ?? o.LearningRate;
    }

    private static void ApplyForest(TreeOptions o, Func<string, int?> i, Func<string, double?> d)
    {
        o.NumberOfLeaves = i("numberOfLeaves") ?? o.NumberOfLeaves;
        o.NumberOfTrees = i("numberOfTrees") ?? o.NumberOfTrees;
        o.MinimumExampleCountPerLeaf = i("minimumExampleCountPerLeaf") ?? o.MinimumExampleCountPerLeaf;
        o.FeatureFraction = d("featureFraction") ?? o.FeatureFraction;
    }
}
