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

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
