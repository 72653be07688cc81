using System.Text;
using GitOps.Policy.Tests.Support;
using GitOps.Specs;
using GitOps.Testing.Generators;

namespace GitOps.Policy.Tests;

public sealed class ValidationChunksTests
{
    public sealed class TheValidateMethod
    {
        /// <summary>Keeps about half of the models, as shard 1 of 2 would.</summary>
        private static bool KeepsHalf(string model) => model.Sum(c => c) % 2 == 0;

        [Fact]
        public void Should_Report_What_A_Whole_Validation_Reports_For_Every_Test_Repository_And_Keep_The_Same_Specs()
        {
            // Given every broken and example repository of the tests, and clones of the example models with warnings
            var repositories = TestRepositories();
            Assert.True(repositories.Count > 80, $"{repositories.Count} repositories");

            foreach (var (name, files) in repositories)
            {
                var whole = RepositoryValidator.Validate(files);
                foreach (var perChunk in new[] { 1, 3 })
                {
                    // When validated one or three model folders at a time, keeping half of the models
                    var parts = RepositoryValidator.Validate(files, null, new ValidationChunks(KeepsHalf) { FoldersPerChunk = perChunk });

                    // Then the same findings, in the same order, and every spec the caller keeps
                    Assert.True(Render(whole) == Render(parts), $"{name}, {perChunk} per part:\n{Render(whole)}---\n{Render(parts)}");
                    Assert.Equal(Names(whole), Names(parts));
                }
            }
        }

        [Fact]
        public void Should_Keep_Only_The_Models_The_Caller_Keeps_And_The_Documents_Outside_Models()
        {
            // Given 40 clones of the example models (each with its README) with an experiment, a data file and code
            // beside some of them, and the repository's README and CI files, as the reconciler selects them
            var files = RepositoryFiles.Select(ExampleModelClones.Generate(RepositoryRoot.Path, 40)
                .Append(Experiment("fraud-detector-0004", parallelism: 1))
                .Append(SourceFile.FromText("models/fraud-detector-0004/features.json", "{\"columns\": [\"amount\", \"hour\"]}"))
                .Append(SourceFile.FromText("models/ticket-classifier-0007/train.py", "print('train')\n")));
            Assert.Contains(files, f => f.Path.EndsWith("features.json", StringComparison.Ordinal));

            // When
            var whole = RepositoryValidator.Validate(files);
            var parts = RepositoryValidator.Validate(files, null, new ValidationChunks(KeepsHalf) { FoldersPerChunk = 8 });

            // Then nothing is reported, and only the kept models (and their experiment) are held
            Assert.Empty(parts.Diagnostics);
            Assert.Equal(whole.Specs.Models.Where(m => KeepsHalf(m.Name)).Select(m => m.Name), parts.Specs.Models.Select(m => m.Name));
            Assert.InRange(parts.Specs.Models.Length, 10, 30);
            Assert.Equal(KeepsHalf("fraud-detector-0004") ? 1 : 0, parts.Specs.Experiments.Length);
            Assert.Equal(whole.Specs.Environments.Length, parts.Specs.Environments.Length);
            Assert.Equal(whole.Specs.Policies.Length, parts.Specs.Policies.Length);
            Assert.Equal(whole.Specs.QualityGates.Length, parts.Specs.QualityGates.Length);
            Assert.Equal(whole.Specs.RolloutPolicies.Length, parts.Specs.RolloutPolicies.Length);
        }

        [Fact]
        public void Should_Report_A_Finding_On_An_Environment_Once_And_A_Model_Warning_Where_It_Is()
        {
            // Given clones, an environment with a warning, and an experiment with one
            var files = Clones(30).Select(f => f.Path == "environments/dev/environment.yaml" ? WithGrpcRoutes(f) : f)
                .Append(Experiment("ticket-classifier-0011", parallelism: 4)).ToList();

            // When
            var parts = RepositoryValidator.Validate(files, null, new ValidationChunks(_ => false) { FoldersPerChunk = 4 });

            // Then
            Assert.Equal(
                [
                    "environments/dev/environment.yaml GITOPS0234 warning",
                    "models/ticket-classifier-0011/experiment.yaml GITOPS0217 warning",
                ],
                parts.Diagnostics.Select(d => $"{d.Span.File} {d.Id} {d.Severity.ToString().ToLowerInvariant()}"));
            Assert.Empty(parts.Specs.Models);
        }

        [Fact]
        public void Should_Find_A_Model_Defined_Twice_In_Different_Parts()
        {
            // Given a clone copied under another folder
            var clones = Clones(20);
            var copy = clones.Single(f => f.Path == "models/fraud-detector-0002/model.yaml");
            var files = clones.Append(SourceFile.FromText("models/zz-copy/model.yaml", Encoding.UTF8.GetString(copy.Content))).ToList();

            // When
            var parts = RepositoryValidator.Validate(files, null, new ValidationChunks(KeepsHalf) { FoldersPerChunk = 2 });

            // Then
            var duplicate = Assert.Single(parts.Diagnostics, d => d.Id == "GITOPS0201");
            Assert.Equal("models/zz-copy/model.yaml", duplicate.Span.File);
            Assert.Equal(Render(RepositoryValidator.Validate(files)), Render(parts));
        }

        [Fact]
        public void Should_Accept_An_Experiment_On_A_Model_In_Another_Part()
        {
            // Given an experiment in one model's folder over a model in another part
            var files = Clones(20).Append(Experiment("fraud-detector-0000", parallelism: 1, model: "ticket-classifier-0019")).ToList();

            // When
            var parts = RepositoryValidator.Validate(files, null, new ValidationChunks(KeepsHalf) { FoldersPerChunk = 2 });

            // Then it is not reported as an experiment of an unknown model
            Assert.Empty(parts.Diagnostics);
            Assert.Single(parts.Specs.Experiments);
        }

        private static List<(string Name, IReadOnlyList<SourceFile> Files)> TestRepositories()
        {
            var repositories = new List<(string, IReadOnlyList<SourceFile>)>();
            var specsTestData = Path.Combine(RepositoryRoot.Path, "tests", "GitOps.Specs.Tests", "testdata");
            foreach (var dir in Directory.GetDirectories(specsTestData, "*", SearchOption.AllDirectories)
                         .Concat(Directory.GetDirectories(Path.Combine(RepositoryRoot.TestData, "invalid")))
                         .Where(d => Directory.Exists(Path.Combine(d, "models"))))
            {
                repositories.Add((Path.GetRelativePath(RepositoryRoot.Path, dir), SpecFileReader.Read(dir)));
            }
            foreach (var dir in Directory.GetDirectories(Path.Combine(RepositoryRoot.TestData, "org-policies")))
            {
                var files = SpecFileReader.Read(RepositoryRoot.Path).ToDictionary(f => f.Path);
                foreach (var file in SpecFileReader.Read(dir))
                {
                    files[file.Path] = file;
                }
                repositories.Add((Path.GetFileName(dir), [.. files.Values.OrderBy(f => f.Path, StringComparer.Ordinal)]));
            }
            repositories.Add(("example", SpecFileReader.Read(RepositoryRoot.Path)));
            repositories.Add(("clones", Clones(12)));
            repositories.Add(("synthetic", SyntheticRepository.Generate(models: 12)));
            repositories.Add(("clones with warnings", [.. Clones(12)
                .Select(f => f.Path == "environments/dev/environment.yaml" ? WithGrpcRoutes(f) : f)
                .Append(Experiment("fraud-detector-0006", parallelism: 9))]));
            return repositories;
        }

        /// <summary>The spec files of a repository of <paramref name="models"/> clones, as the reconciler selects them
        /// from its commit (READMEs, CI files and code are left out by the selection, not by the fixture).</summary>
        private static List<SourceFile> Clones(int models) =>
            [.. RepositoryFiles.Select(ExampleModelClones.Generate(RepositoryRoot.Path, models))];

        /// <summary>The environment with <c>gateway.grpcRoutes</c> set under a router that renders no GRPCRoute (a warning).</summary>
        private static SourceFile WithGrpcRoutes(SourceFile environment)
        {
            var text = Encoding.UTF8.GetString(environment.Content);
            Assert.Contains("  router: ", text);
            return SourceFile.FromText(environment.Path, text.Replace("  router: ", "  gateway:\n    name: public\n    grpcRoutes: true\n  router: ", StringComparison.Ordinal));
        }

        private static SourceFile Experiment(string folder, int parallelism, string? model = null) =>
            SourceFile.FromText($"models/{folder}/experiment.yaml", $"""
                apiVersion: ml.gitops/v1alpha1
                kind: Experiment
                metadata:
                  name: {folder}-sweep
                spec:
                  model: {model ?? folder}
                  search:
                    method: grid
                    parameters:
                      - name: numberOfTrees
                        values: [50, 100]
                  objective:
                    metric: auc
                    direction: maximize
                  maxTrials: 2
                  parallelism: {parallelism}

                """);

        private static string Render(LoadResult result) => string.Concat(result.Diagnostics.Select(d => d + "\n"));

        /// <summary>Every spec's kind and name, models and experiments only when <see cref="KeepsHalf"/> keeps them.</summary>
        private static List<string> Names(LoadResult result) =>
            [.. result.Specs.All
                .Where(s => s switch
                {
                    GitOps.Specs.Model.ModelSpec m => KeepsHalf(m.Name),
                    GitOps.Specs.Model.ExperimentSpec x => KeepsHalf(x.Spec.Model),
                    _ => true,
                })
                .Select(s => $"{s.Kind}/{s.Name}")];
    }
}
