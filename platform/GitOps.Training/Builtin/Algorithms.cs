using GitOps.Specs.Model;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace GitOps.Training.Builtin;

/// <summary>
/// The estimators of the builtin algorithms (which tasks, algorithms and hyperparameters are accepted is
/// <see cref="BuiltinCatalog"/>). Every trainer runs on one thread with the request's seed, so the same inputs give
/// the same model.
/// </summary>
public static class Algorithms
{
    internal const string FeaturesColumn = "Features";

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
