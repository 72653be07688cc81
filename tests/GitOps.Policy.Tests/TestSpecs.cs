using System.Collections.Immutable;
using GitOps.Specs.Model;

namespace GitOps.Policy.Tests;

/// <summary>Specs built in memory for tests that do not need YAML.</summary>
internal static class TestSpecs
{
    public static EnvironmentSpec Environment(string name, Func<EnvironmentBody, EnvironmentBody>? change = null)
    {
        var body = new EnvironmentBody
        {
            Cluster = new ClusterTarget(new KubernetesTarget("ctx", false), null),
            Namespace = "ml-" + name,
            Prometheus = new PrometheusTarget("http://prometheus:9090"),
        };
        return new EnvironmentSpec(Metadata.Named(name), SpecOrigin.InMemory($"environments/{name}/environment.yaml"),
            change is null ? body : change(body));
    }

    public static ModelSpec Model(string name, Func<ModelBody, ModelBody>? change = null)
    {
        var body = new ModelBody
        {
            Owner = "team-risk",
            Task = ModelTasks.BinaryClassification,
            Training = new TrainingSpec
            {
                Builtin = new BuiltinTrainer(BuiltinAlgorithms.FastTree, 42),
                Dataset = new DatasetRef("file://datasets/fraud.csv", new string('a', 64)),
            },
            Gates = ["quality"],
            Environments = ["dev"],
        };
        return new ModelSpec(Metadata.Named(name), SpecOrigin.InMemory($"models/{name}/model.yaml"),
            change is null ? body : change(body));
    }

    public static QualityGateSpec Gate(string name, params GateRule[] rules) =>
        new(Metadata.Named(name), SpecOrigin.InMemory($"policies/gates/{name}.yaml"), new QualityGateBody { Rules = [.. rules] });

    public static QualityGateSpec Gate(string name, string onNoChampion, params GateRule[] rules) =>
        new(Metadata.Named(name), SpecOrigin.InMemory($"policies/gates/{name}.yaml"),
            new QualityGateBody { Rules = [.. rules], OnNoChampion = onNoChampion });

    public static RolloutPolicySpec Rollout(string name, string strategy, ImmutableArray<RolloutStep> steps,
        params AnalysisTemplate[] analysis) =>
        new(Metadata.Named(name), SpecOrigin.InMemory($"policies/rollouts/{name}.yaml"),
            new RolloutPolicyBody { Strategy = strategy, Steps = steps, Analysis = [.. analysis] });

    public static AnalysisTemplate Template(string name, string query, string? success = "result < 0.01") =>
        new() { Name = name, Query = query, SuccessCondition = success };

    public static PolicySpec PolicyDoc(string name, PolicyMatch match, params PolicyRule[] rules) =>
        new(Metadata.Named(name), SpecOrigin.InMemory($"policies/org/{name}.yaml"), new PolicyBody { Match = match, Rules = [.. rules] });

    public static PolicyMatch Match(string[]? kinds = null, string[]? environments = null) =>
        new([.. kinds ?? []], [.. environments ?? []]);

    public static PolicyRule Rule(string name, string expression, string message = "violated", string severity = "error") =>
        new(name, expression, message, severity);

    public static SpecSet Set(params SpecObject[] objects) => SpecSet.From(objects);
}
