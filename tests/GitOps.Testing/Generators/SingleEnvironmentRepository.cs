using System.Globalization;

namespace GitOps.Testing.Generators;

/// <summary>
/// The smallest repository a reconciler can converge: one environment <c>prod</c> (in-cluster target, replica-ratio
/// router) and builtin-trained models served there. No model is trained yet, so each renders its model ConfigMap
/// and its training Job: two objects per model.
/// </summary>
public static class SingleEnvironmentRepository
{
    public const string Environment = "prod";

    /// <summary>The files, by path; <paramref name="models"/> gives each model's name and number of trees (a
    /// hyperparameter: changing it makes a new version).</summary>
    public static Dictionary<string, string?> Files(string @namespace, IEnumerable<(string Name, int Trees)> models)
    {
        var files = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [$"environments/{Environment}/environment.yaml"] = EnvironmentSpec(@namespace),
        };
        foreach (var (name, trees) in models)
        {
            files[$"models/{name}/model.yaml"] = Model(name, trees);
        }
        return files;
    }

    /// <summary>The environment document: in-cluster target, replica-ratio router.</summary>
    public static string EnvironmentSpec(string @namespace, string name = Environment, bool selfHeal = true) => $"""
        apiVersion: ml.gitops/v1alpha1
        kind: Environment
        metadata:
          name: {name}
        spec:
          cluster:
            kubernetes:
              inCluster: true
          namespace: {@namespace}
          router: replicas
          selfHeal: {(selfHeal ? "true" : "false")}

        """;

    /// <summary>An environment document that runs on this machine under <c>gitops up</c> (<c>cluster: {local: {}}</c>).</summary>
    public const string LocalEnvironmentSpec = """
        apiVersion: ml.gitops/v1alpha1
        kind: Environment
        metadata:
          name: local
        spec:
          cluster:
            local: {}
          namespace: ml-local
          router: local

        """;

    /// <summary>A builtin-trained model document served in <paramref name="environment"/>.</summary>
    public static string Model(string name, int trees = 100, int replicas = 1, string environment = Environment) => $"""
        apiVersion: ml.gitops/v1alpha1
        kind: Model
        metadata:
          name: {name}
        spec:
          owner: team-{name}
          task: binaryClassification
          inputs:
            - name: amount
              type: float32
              shape: [-1, 1]
          outputs:
            - name: probability
              type: float32
              shape: [-1]
          label: label
          training:
            builtin:
              algorithm: fastTree
              seed: 7
            dataset:
              uri: https://data.example.com/{name}.csv
              sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
            hyperparameters:
              numberOfTrees: {trees.ToString(CultureInfo.InvariantCulture)}
          serving:
            replicas: {replicas.ToString(CultureInfo.InvariantCulture)}
          environments: [{environment}]

        """;
}
