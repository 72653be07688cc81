using System.Globalization;
using System.Text;
using GitOps.Specs;

namespace GitOps.Testing.Generators;

/// <summary>
/// Builds a repository of any number of models by cloning this repository's own example models
/// (<c>models/fraud-detector</c> and <c>models/ticket-classifier</c>, taken in turn) under unique names, with the
/// example <c>environments/</c> dev, staging and prod and every file of <c>policies/</c>, plus the prose and CI files
/// a real repository carries (README, workflow, CODEOWNERS, a model card per model). Every model is served in the three
/// environments. The clones stay byte-for-byte the examples apart from the edits listed in <see cref="Clone"/>, so
/// what is measured is what users write, not a generator's idea of it. Deterministic for the same source files.
/// </summary>
public static class ExampleModelClones
{
    /// <summary>The example environments the clones are served in (<c>local</c> is the workstation environment of
    /// <c>gitops up</c> and is left out).</summary>
    public static readonly string[] Environments = ["dev", "staging", "prod"];

    private static readonly string[] Templates = ["fraud-detector", "ticket-classifier"];

    /// <summary>The name of clone <paramref name="index"/>: its template's name and a four-digit number.</summary>
    public static string ModelName(int index) => $"{Templates[index % Templates.Length]}-{index.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>Every file of a repository of <paramref name="models"/> clones, read from the checkout at <paramref name="sourceRoot"/>.</summary>
    public static IReadOnlyList<SourceFile> Generate(string sourceRoot, int models)
    {
        var files = new List<SourceFile>();
        foreach (var env in Environments)
        {
            files.Add(Copy(sourceRoot, $"environments/{env}/environment.yaml"));
        }
        var policies = Path.Combine(sourceRoot, "policies");
        foreach (var path in Directory.EnumerateFiles(policies, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Copy(sourceRoot, Path.GetRelativePath(sourceRoot, path).Replace('\\', '/')));
        }
        var templates = Templates.ToDictionary(t => t, t => File.ReadAllText(Path.Combine(sourceRoot, "models", t, "model.yaml")), StringComparer.Ordinal);
        for (var i = 0; i < models; i++)
        {
            var name = ModelName(i);
            var template = Templates[i % Templates.Length];
            files.Add(Text($"models/{name}/model.yaml", Clone(template, templates[template], name)));
            files.Add(Text($"models/{name}/README.md", ModelCard(name, template)));
        }
        files.Add(Text("README.md", Readme(models)));
        files.Add(Text(".github/workflows/gitops.yaml", Workflow));
        files.Add(Text(".github/CODEOWNERS", "/models/fraud-detector-*/ @payments-ml\n/models/ticket-classifier-*/ @support-ml\n/environments/ @platform\n/policies/ @platform\n"));
        files.Add(Text(".gitignore", "artifacts/\n*.onnx\n"));
        return files;
    }

    /// <summary>Writes <see cref="Generate"/> under <paramref name="root"/> (created if missing).</summary>
    public static void WriteTo(string root, string sourceRoot, int models)
    {
        foreach (var file in Generate(sourceRoot, models))
        {
            var path = Path.Combine(root, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
        }
    }

    /// <summary>
    /// The example <paramref name="template"/> renamed to <paramref name="name"/> (its name, the output path of its
    /// batch scores, its trainer image) and served in <see cref="Environments"/>: the fraud detector leaves the local
    /// environment; the ticket classifier, which fine-tunes on A100s, also trains in dev on the pool dev has (one T4).
    /// Throws when the example no longer has the shape these edits expect, so that the clones never silently drift.
    /// </summary>
    public static string Clone(string template, string text, string name)
    {
        var clone = text.Replace(template, name, StringComparison.Ordinal);
        return template switch
        {
            "fraud-detector" => Edit(Edit(clone,
                    "  environments: [dev, staging, prod, local]\n",
                    "  environments: [dev, staging, prod]\n"),
                "    local:\n      rollout: direct\n",
                ""),
            "ticket-classifier" => Edit(Edit(clone,
                    "  environments: [staging, prod]\n",
                    "  environments: [dev, staging, prod]\n"),
                "  overrides:\n",
                "  overrides:\n    dev:\n      trainingResources:\n        cpu: 8\n        memory: 32Gi\n        gpus: 1\n        pool: t4\n"),
            _ => throw new ArgumentOutOfRangeException(nameof(template), template, "not an example model"),
        };
    }

    private static string Edit(string text, string expected, string replacement)
    {
        var at = text.IndexOf(expected, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(expected, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"the example model no longer contains exactly one '{expected.Trim()}': update {nameof(ExampleModelClones)}");
        }
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + expected.Length));
    }

    private static SourceFile Copy(string sourceRoot, string relative) =>
        new(relative, File.ReadAllBytes(Path.Combine(sourceRoot, relative)));

    private static SourceFile Text(string path, string text) => new(path, Encoding.UTF8.GetBytes(text));

    private static string ModelCard(string name, string template) => $"""
        # {name}

        A copy of the example model `{template}`: see its `model.yaml` for what it is trained on, the gates it must
        pass and how it is rolled out. Owners: the team in `spec.owner`.

        """;

    private static string Readme(int models) => $"""
        # ML platform

        {models.ToString("N0", CultureInfo.InvariantCulture)} models, each served in dev, staging and prod. Every pull request runs `gitops validate` and
        `gitops plan --all`; the reconciler applies `main`.

        - `models/NAME/model.yaml`: one model each
        - `environments/ENV/environment.yaml`: clusters, GPU pools, promotion
        - `policies/`: quality gates, rollout policies and organisation rules

        """;

    private const string Workflow = """
        name: gitops
        on:
          pull_request:
            paths: ["models/**", "environments/**", "policies/**"]
        jobs:
          check:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: gitops validate -o github
              - run: gitops plan --all -o markdown > plan.md

        """;
}
