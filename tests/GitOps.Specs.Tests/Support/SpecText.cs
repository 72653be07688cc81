namespace GitOps.Specs.Tests.Support;

/// <summary>Small spec documents for focused tests.</summary>
public static class SpecText
{
    public const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// <summary>A minimal valid builtin-trainer model; <paramref name="specExtra"/> is appended to <c>spec</c> (2-space indent).</summary>
    public static string Model(string name = "fraud", string specExtra = "", string trainingExtra = "") => $"""
        apiVersion: ml.gitops/v1alpha1
        kind: Model
        metadata:
          name: {name}
        spec:
          owner: payments
          task: binaryClassification
          inputs:
            - {"{"}name: amount, type: float32{"}"}
          label: is_fraud
          training:
            builtin: {"{"}algorithm: fastTree{"}"}
            dataset:
              uri: https://data.example.com/fraud.csv
              sha256: {Sha}

        """ + Indent(trainingExtra, 4) + Indent(specExtra, 2);

    public static string Environment(string name = "prod", string specExtra = "") => $"""
        apiVersion: ml.gitops/v1alpha1
        kind: Environment
        metadata:
          name: {name}
        spec:
          cluster:
            local: {"{}"}
          namespace: ml-{name}

        """ + Indent(specExtra, 2);

    public static string Rollout(string body) => """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: canary
        spec:

        """ + Indent(body, 2);

    public static IReadOnlyList<SourceFile> Files(params (string Path, string Text)[] files) =>
        [.. files.Select(f => SourceFile.FromText(f.Path, f.Text))];

    public static LoadResult Validate(params (string Path, string Text)[] files) => SpecValidator.Validate(Files(files));

    private static string Indent(string text, int spaces)
    {
        if (text.Length == 0)
        {
            return "";
        }
        var pad = new string(' ', spaces);
        return string.Concat(text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(l => pad + l + "\n"));
    }
}
