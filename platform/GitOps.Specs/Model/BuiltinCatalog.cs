using System.Collections.Immutable;
using System.Globalization;

namespace GitOps.Specs.Model;

/// <summary>
/// What the builtin trainer accepts: the tasks it trains, the algorithms of each and the hyperparameters each algorithm
/// takes with their bounds. One table for the trainer, which refuses anything else, and for validation, which reports
/// it in the pull request instead of in a failed training Job.
/// </summary>
public static class BuiltinCatalog
{
    /// <summary>Algorithms available for a task (none for a task the builtin trainer does not train).</summary>
    public static ImmutableArray<string> For(string task) => task switch
    {
        ModelTasks.BinaryClassification => [BuiltinAlgorithms.FastTree, BuiltinAlgorithms.LightGbm, BuiltinAlgorithms.SdcaLogisticRegression, BuiltinAlgorithms.FastForest],
        ModelTasks.Regression => [BuiltinAlgorithms.FastTree, BuiltinAlgorithms.LightGbm, BuiltinAlgorithms.Sdca, BuiltinAlgorithms.FastForest],
        _ => [],
    };

    /// <summary>Hyperparameter names an algorithm accepts (the same for both tasks).</summary>
    public static ImmutableArray<string> HyperparametersOf(string algorithm) =>
        Parameters.TryGetValue(algorithm, out var table) ? [.. table.Keys.Order(StringComparer.Ordinal)] : [];

    /// <summary>Why the builtin trainer cannot train <paramref name="task"/>, or null.</summary>
    public static string? TaskProblem(string task) =>
        For(task).IsEmpty ? $"task '{task}' is not supported by the builtin trainer; use '{ModelTasks.BinaryClassification}' or '{ModelTasks.Regression}'" : null;

    /// <summary>Why <paramref name="algorithm"/> cannot train <paramref name="task"/> (a task it trains), or null.</summary>
    public static string? AlgorithmProblem(string task, string algorithm) =>
        For(task) is { IsEmpty: false } allowed && !allowed.Contains(algorithm)
            ? $"algorithm '{algorithm}' is not available for {task}; choose one of: {string.Join(", ", allowed)}"
            : null;

    /// <summary>The value of one hyperparameter of <paramref name="algorithm"/> written as <paramref name="text"/>, or
    /// why it is not accepted.</summary>
    public static (double Value, string? Problem) Hyperparameter(string algorithm, string name, string text)
    {
        if (NameProblem(algorithm, name) is { } unknown)
        {
            return (0, unknown);
        }
        var parameter = Parameters[algorithm][name];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return (0, $"hyperparameter '{name}' must be a number, found '{text}'");
        }
        if (parameter.Whole && value != Math.Floor(value))
        {
            return (0, $"hyperparameter '{name}' must be a whole number, found '{text}'");
        }
        if (value < parameter.Min || value > parameter.Max)
        {
            return (0, $"hyperparameter '{name}' must be between {PlainNumbers.Format(parameter.Min)} and {PlainNumbers.Format(parameter.Max)}, found '{text}'");
        }
        return (value, null);
    }

    /// <summary>Why <paramref name="algorithm"/> takes no hyperparameter <paramref name="name"/>, or null.</summary>
    public static string? NameProblem(string algorithm, string name) =>
        Parameters.TryGetValue(algorithm, out var table) && table.ContainsKey(name)
            ? null
            : $"hyperparameter '{name}' is not known to {algorithm}; accepted: {string.Join(", ", HyperparametersOf(algorithm))}";

    /// <summary>Whether the hyperparameter <paramref name="name"/> of <paramref name="algorithm"/> takes only whole numbers.</summary>
    public static bool TakesWholeNumbers(string algorithm, string name) =>
        Parameters.TryGetValue(algorithm, out var table) && table.TryGetValue(name, out var parameter) && parameter.Whole;

    /// <summary>Checks the task/algorithm pair and every hyperparameter; returns parsed values or the first problem.</summary>
    public static (IReadOnlyDictionary<string, double>? Values, string? Error) Check(string task, string algorithm, IReadOnlyDictionary<string, string> hyperparameters)
    {
        if ((TaskProblem(task) ?? AlgorithmProblem(task, algorithm)) is { } problem)
        {
            return (null, problem);
        }
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, text) in hyperparameters)
        {
            var (value, wrong) = Hyperparameter(algorithm, name, text);
            if (wrong is not null)
            {
                return (null, wrong);
            }
            values[name] = value;
        }
        return (values, null);
    }

    private sealed record Parameter(bool Whole, double Min, double Max);

    private static readonly ImmutableDictionary<string, ImmutableDictionary<string, Parameter>> Parameters =
        new Dictionary<string, ImmutableDictionary<string, Parameter>>
        {
            [BuiltinAlgorithms.FastTree] = Table(("numberOfLeaves", true, 2, 1024), ("numberOfTrees", true, 1, 10_000), ("minimumExampleCountPerLeaf", true, 1, 100_000), ("learningRate", false, 1e-6, 10)),
            [BuiltinAlgorithms.FastForest] = Table(("numberOfLeaves", true, 2, 1024), ("numberOfTrees", true, 1, 10_000), ("minimumExampleCountPerLeaf", true, 1, 100_000), ("featureFraction", false, 1e-6, 1)),
            [BuiltinAlgorithms.LightGbm] = Table(("numberOfLeaves", true, 2, 131_072), ("numberOfIterations", true, 1, 10_000), ("minimumExampleCountPerLeaf", true, 1, 100_000), ("learningRate", false, 1e-6, 10)),
            [BuiltinAlgorithms.SdcaLogisticRegression] = Table(("l1Regularization", false, 0, 1e6), ("l2Regularization", false, 1e-12, 1e6), ("maximumNumberOfIterations", true, 1, 100_000)),
            [BuiltinAlgorithms.Sdca] = Table(("l1Regularization", false, 0, 1e6), ("l2Regularization", false, 1e-12, 1e6), ("maximumNumberOfIterations", true, 1, 100_000)),
        }.ToImmutableDictionary();

    private static ImmutableDictionary<string, Parameter> Table(params (string Name, bool Whole, double Min, double Max)[] entries) =>
        entries.ToImmutableDictionary(e => e.Name, e => new Parameter(e.Whole, e.Min, e.Max), StringComparer.Ordinal);
}
