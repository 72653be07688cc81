using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using GitOps.Specs.Tests.Support;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SemanticCheckerTests
{
    public sealed class TheCheckMethod
    {
        private static List<Diagnostic> Check(params (string Path, string Text)[] files)
        {
            var loaded = SpecLoader.Load(SpecText.Files(files));
            Assert.Empty(loaded.Diagnostics);
            return [.. SemanticChecker.Check(loaded.Specs)];
        }

        /// <summary>An experiment over the model <c>fraud</c>: a grid search over <paramref name="parameters"/> (a YAML flow list).</summary>
        private static string GridSearch(string parameters) => $$"""
            apiVersion: ml.gitops/v1alpha1
            kind: Experiment
            metadata: {name: sweep}
            spec:
              model: fraud
              search:
                method: grid
                parameters: {{parameters}}
              objective: {metric: auc, direction: maximize}
            """;

        private const string Gate = "apiVersion: ml.gitops/v1alpha1\nkind: QualityGate\nmetadata: {name: fraud-quality}\nspec:\n  rules: [{name: auc, condition: 'metrics.auc > 0.9'}]\n";

        [Theory]
        [InlineData("gates: [fraud-qualty]", "QualityGate 'fraud-qualty'", "did you mean 'fraud-quality'?")]
        [InlineData("rollout: canary", "RolloutPolicy 'canary'", "no RolloutPolicy is defined")]
        [InlineData("environments: [prd]", "Environment 'prd'", "did you mean 'prod'?")]
        [InlineData("overrides: {prd: {serving: {replicas: 2}}}", "overrides unknown Environment 'prd'", "did you mean 'prod'?")]
        public void Should_Report_Unknown_References_With_A_Hint(string specLine, string message, string hint)
        {
            // Given
            var model = SpecText.Model(specExtra: specLine);

            // When
            var found = Check(("models/m.yaml", model), ("environments/prod.yaml", SpecText.Environment()), ("policies/g.yaml", Gate));

            // Then
            var d = Assert.Single(found, d => d.Id == DiagnosticIds.UnknownReference);
            Assert.Contains(message, d.Message, StringComparison.Ordinal);
            Assert.Equal(hint, d.Hint);
            Assert.Equal(16, d.Span.Line);
        }

        [Fact]
        public void Should_Check_The_Gpu_Pool_In_Every_Environment_The_Model_Is_Served_In()
        {
            // Given
            var staging = SpecText.Environment("staging", "gpuPools: [{name: t4, quota: 4}]");
            var prod = SpecText.Environment("prod", "gpuPools: [{name: a100, quota: 8}]");
            var model = SpecText.Model(specExtra: "environments: [staging, prod]", trainingExtra: "resources: {gpus: 2, pool: t4}");

            // When
            var found = Check(("models/m.yaml", model), ("environments/staging.yaml", staging), ("environments/prod.yaml", prod));

            // Then
            var d = Assert.Single(found);
            Assert.Equal(DiagnosticIds.GpuPoolMissing, d.Id);
            Assert.Contains("Environment 'prod'", d.Message, StringComparison.Ordinal);
            Assert.Equal("models/m.yaml:16:32", d.Span.ToString());
        }

        [Theory]
        [InlineData("https://data.example.com/fraud.csv", false)]
        [InlineData("http://data.internal:8080/fraud.csv", false)]
        [InlineData("file:///mnt/data/fraud.csv", false)]
        [InlineData("/mnt/data/fraud.csv", false)]
        [InlineData("s3://data/fraud.csv", false)]
        [InlineData("gs://data/fraud.csv", true)]
        [InlineData("GS://data/fraud.csv", true)]
        public void Should_Report_Dataset_Schemes_The_Builtin_Trainer_Cannot_Fetch(string uri, bool reported)
        {
            // Given
            var model = SpecText.Model().Replace("https://data.example.com/fraud.csv", uri, StringComparison.Ordinal);

            // When
            var found = Check(("models/m.yaml", model), ("environments/prod.yaml", SpecText.Environment()));

            // Then
            Assert.Equal(reported, found.Any(d => d.Id == DiagnosticIds.DatasetScheme));
            Assert.All(found.Where(d => d.Id == DiagnosticIds.DatasetScheme), d => Assert.Contains("custom trainer image", d.Hint, StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Leave_The_Dataset_Of_A_Custom_Trainer_Image_To_The_Image()
        {
            // Given
            var model = SpecText.Model()
                .Replace("builtin: {algorithm: fastTree}", "image: registry.example.com/trainer:1.0", StringComparison.Ordinal)
                .Replace("https://data.example.com/fraud.csv", "s3://data/fraud.csv", StringComparison.Ordinal);

            // When
            var found = Check(("models/m.yaml", model), ("environments/prod.yaml", SpecText.Environment()));

            // Then
            Assert.DoesNotContain(found, d => d.Id == DiagnosticIds.DatasetScheme);
        }

        [Fact]
        public void Should_Use_The_Environment_Override_For_Training_Resources()
        {
            // Given
            var staging = SpecText.Environment("staging", "gpuPools: [{name: t4, quota: 4}]");
            var prod = SpecText.Environment("prod", "gpuPools: [{name: a100, quota: 8}]");
            var model = SpecText.Model(
                specExtra: "environments: [staging, prod]\noverrides:\n  prod:\n    trainingResources: {gpus: 16, pool: a100}",
                trainingExtra: "resources: {gpus: 2, pool: t4}");

            // When
            var found = Check(("models/m.yaml", model), ("environments/staging.yaml", staging), ("environments/prod.yaml", prod));

            // Then
            var d = Assert.Single(found);
            Assert.Equal(DiagnosticIds.GpuQuotaExceeded, d.Id);
            Assert.Contains("allows at most 8", d.Message, StringComparison.Ordinal);
            Assert.Equal(20, d.Span.Line);
        }

        [Fact]
        public void Should_Report_An_Environment_Promoting_From_Itself()
        {
            // Given
            var prod = SpecText.Environment("prod", "promotion: {from: prod}");

            // When
            var found = Check(("environments/prod.yaml", prod));

            // Then
            var d = Assert.Single(found);
            Assert.Equal(DiagnosticIds.PromotionCycle, d.Id);
            Assert.Equal("promotion cycle: prod <- prod", d.Message);
        }

        [Fact]
        public void Should_Accept_A_Promotion_Chain()
        {
            // Given
            var dev = SpecText.Environment("dev");
            var staging = SpecText.Environment("staging", "promotion: {from: dev, soak: 2h}");
            var prod = SpecText.Environment("prod", "promotion: {from: staging, soak: 1d}");

            // When
            var found = Check(("environments/dev.yaml", dev), ("environments/staging.yaml", staging), ("environments/prod.yaml", prod));

            // Then
            Assert.Empty(found);
        }

        [Fact]
        public void Should_Report_Analysis_Steps_Naming_Unknown_Templates()
        {
            // Given
            var rollout = SpecText.Rollout("""
                strategy: canary
                steps:
                  - setWeight: 10
                  - analysis: {templates: [eror-rate]}
                analysis:
                  - {name: error-rate, query: 'sum(rate(x[1m]))', successCondition: 'result < 0.01'}
                """);

            // When
            var found = Check(("policies/r.yaml", rollout));

            // Then
            var d = Assert.Single(found);
            Assert.Equal(DiagnosticIds.UnknownReference, d.Id);
            Assert.Equal("did you mean 'error-rate'?", d.Hint);
            Assert.Equal("policies/r.yaml:9:30", d.Span.ToString());
        }

        [Fact]
        public void Should_Report_Background_Analysis_Naming_Unknown_Templates_And_Bad_Deadlines()
        {
            // Given
            var rollout = SpecText.Rollout("""
                strategy: blueGreen
                progressDeadline: 10 minutes
                backgroundAnalysis: {templates: [eror-rate]}
                analysis:
                  - {name: error-rate, query: 'sum(rate(x[1m]))', successCondition: 'result < 0.01'}
                """);

            // When
            var found = Check(("policies/r.yaml", rollout));

            // Then
            Assert.Equal(new[] { DiagnosticIds.InvalidDuration, DiagnosticIds.UnknownReference }.Order(StringComparer.Ordinal), found.Select(d => d.Id).Order(StringComparer.Ordinal));
            Assert.Equal("did you mean 'error-rate'?", found.Single(d => d.Id == DiagnosticIds.UnknownReference).Hint);
        }

        [Fact]
        public void Should_Require_A_SetWeight_Step_In_A_Canary()
        {
            // Given
            var rollout = SpecText.Rollout("strategy: canary\nsteps:\n  - pause: {}\n");

            // When
            var found = Check(("policies/r.yaml", rollout));

            // Then
            Assert.Equal(DiagnosticIds.StepsNeedCanary, Assert.Single(found).Id);
        }

        [Fact]
        public void Should_Leave_The_Search_Space_Of_A_Custom_Trainer_To_That_Trainer()
        {
            // Given an experiment over a model trained by its own image, searching names the builtin trainer does not take
            var model = SpecText.Model().Replace("builtin: {algorithm: fastTree}", "image: registry.example.com/fraud-trainer:1.0", StringComparison.Ordinal);
            var experiment = GridSearch("[{name: dropout, values: [0.1, 0.5]}, {name: learningRate, values: [50]}]");

            // When
            var found = Check(("models/m.yaml", model), ("models/x.yaml", experiment));

            // Then
            Assert.Empty(found);
        }

        [Fact]
        public void Should_Report_A_Grid_Search_Over_A_Range()
        {
            // Given
            var experiment = GridSearch("[{name: learningRate, min: 0.01, max: 0.1}]");

            // When
            var found = Check(("models/m.yaml", SpecText.Model()), ("models/x.yaml", experiment));

            // Then
            var d = Assert.Single(found);
            Assert.Equal(DiagnosticIds.InvalidSearchParameter, d.Id);
            Assert.Contains("grid search", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Check_Two_Thousand_Models_With_Linear_Lookups()
        {
            // Given
            var files = new List<(string, string)> { ("environments/prod.yaml", SpecText.Environment("prod", "gpuPools: [{name: a100, quota: 8}]")), ("policies/g.yaml", Gate) };
            for (var i = 0; i < 2000; i++)
            {
                files.Add(($"models/m{i}/model.yaml", SpecText.Model($"m{i}", "environments: [prod]\ngates: [fraud-quality]", "resources: {gpus: 1, pool: a100}")));
            }
            var loaded = SpecLoader.Load(SpecText.Files([.. files]));

            // When
            var found = SemanticChecker.Check(loaded.Specs);

            // Then
            Assert.Empty(loaded.Diagnostics);
            Assert.Equal(2000, loaded.Specs.Models.Length);
            Assert.Empty(found);
        }
    }
}

public sealed class ModelSettingsTests
{
    public sealed class TheForMethod
    {
        [Fact]
        public void Should_Merge_Serving_Field_By_Field_And_Replace_The_Rest()
        {
            // Given
            var model = SpecLoader.Load(SpecFileReader.Read(Fixtures.Valid)).Specs.Model("fraud-detector")!;

            // When
            var staging = ModelSettings.For(model, "staging");
            var prod = ModelSettings.For(model, "prod");

            // Then
            Assert.Equal(1, staging.Serving.Replicas);
            Assert.Null(staging.Serving.Autoscaling);
            Assert.Equal("500m", staging.Serving.Resources!.Cpu);
            Assert.Equal("t4", staging.TrainingResources.Pool);
            Assert.Equal("a100", prod.TrainingResources.Pool);
            Assert.Equal(new Autoscaling(2, 10, 70), prod.Serving.Autoscaling);
            Assert.True(prod.Overridden);
        }
    }

    public sealed class TheKubernetesFieldChecks
    {
        [Fact]
        public void Should_Refuse_Annotations_Over_256_KiB_When_They_Are_Summed()
        {
            // Given
            var big = new string('x', 256 * 1024);
            var model = SpecText.Model().Replace("  name: fraud\n", $"  name: fraud\n  annotations:\n    example.com/notes: {big}\n", StringComparison.Ordinal);

            // When
            var result = SpecText.Validate(("models/m.yaml", model));

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(DiagnosticIds.InvalidAnnotation, d.Id);
            Assert.Equal("models/m.yaml:5:3", d.Span.ToString());
            Assert.Contains("262,161 bytes", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Accept_A_Long_Model_Name_When_Shortening_Keeps_Its_Service_Names_Valid()
        {
            // Given a 63-character name: '<name>-canary' is shortened with a hash suffix
            var name = "f" + new string('r', 62);

            // When
            var result = SpecText.Validate(("models/m.yaml", SpecText.Model(name)));

            // Then
            Assert.Empty(result.Diagnostics);
        }

        [Fact]
        public void Should_Accept_The_Tolerations_And_Selectors_The_Api_Server_Accepts_When_They_Are_Valid()
        {
            // Given
            var environment = SpecText.Environment(specExtra: """
                gpuPools:
                  - name: a100
                    quota: 2
                    nodeSelector: {cloud.google.com/gke-accelerator: nvidia-tesla-a100, gpu: ""}
                    tolerations:
                      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
                      - {key: dedicated, value: ml_gpu.v2}
                      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
                """);

            // When
            var result = SpecText.Validate(("environments/prod.yaml", environment));

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(300, result.Specs.Environments[0].Spec.GpuPools[0].Tolerations[2].TolerationSeconds);
        }
    }
}
