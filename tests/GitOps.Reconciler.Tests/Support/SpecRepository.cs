using System.Globalization;
using System.Text;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>Spec files of a small GitOps repository, written as a user would: one environment, builtin-trained models.</summary>
public static class SpecRepository
{
    public const string Namespace = "ml";

    public static string Environment(string name = "prod", bool selfHeal = true, string @namespace = Namespace) => $"""
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

    public static string Model(string name, int replicas = 1, string environment = "prod", int trees = 100) => $"""
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

    /// <summary>A model document with a misspelt key (<c>trainig</c>): a validation error.</summary>
    public static string InvalidModel(string name) => Model(name).Replace("  training:", "  trainig:", StringComparison.Ordinal);

    /// <summary>The files of a repository with <paramref name="models"/> (name → replicas).</summary>
    public static Dictionary<string, string> Files(string environment, params (string Name, int Replicas)[] models)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["environments/prod/environment.yaml"] = environment,
        };
        foreach (var (name, replicas) in models)
        {
            files[$"models/{name}/model.yaml"] = Model(name, replicas);
        }
        return files;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
