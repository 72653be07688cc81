using System.Text;
using GitOps.Testing.Generators;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>Spec files of a small GitOps repository, written as a user would: one environment, builtin-trained models.</summary>
public static class SpecRepository
{
    public const string Namespace = "ml";

    public static string Environment(string name = "prod", bool selfHeal = true, string @namespace = Namespace) =>
        SingleEnvironmentRepository.EnvironmentSpec(@namespace, name, selfHeal);

    public static string Model(string name, int replicas = 1, string environment = "prod", int trees = 100) =>
        SingleEnvironmentRepository.Model(name, trees, replicas, environment);

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

    /// <summary>The <c>fraud-quality</c> QualityGate (<c>metrics.auc &gt;= 0.85</c>, passes without a champion), at
    /// <see cref="GatePath"/>; a model lists it with <see cref="Gated"/>.</summary>
    public const string Gate = """
        apiVersion: ml.gitops/v1alpha1
        kind: QualityGate
        metadata:
          name: fraud-quality
        spec:
          rules:
            - name: auc-floor
              condition: metrics.auc >= 0.85
          onNoChampion: pass

        """;

    public const string GatePath = "policies/gates/fraud-quality.yaml";

    /// <summary><paramref name="model"/> (a model document) gated by <see cref="Gate"/>.</summary>
    public static string Gated(string model) => model.Replace("  serving:", "  gates: [fraud-quality]\n  serving:", StringComparison.Ordinal);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
