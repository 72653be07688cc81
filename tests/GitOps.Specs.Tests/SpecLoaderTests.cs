using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using GitOps.Specs.Tests.Support;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SpecLoaderTests
{
    public sealed class TheLoadMethod
    {
        private static readonly LoadResult ValidRepo = SpecLoader.Load(SpecFileReader.Read(Fixtures.Valid));

        private static ModelSpec Fraud => ValidRepo.Specs.Model("fraud-detector")!;

        /// <summary>Trained by a custom image, which takes any hyperparameter: the one that keeps <c>yes</c> as written.</summary>
        private static ModelSpec Churn => ValidRepo.Specs.Model("churn")!;

        [Fact]
        public void Should_Bind_Every_Field_Of_The_Example_Model()
        {
            // Given
            var model = Fraud;

            // When
            var s = model.Spec;

            // Then
            Assert.Equal("payments-ml", s.Owner);
            Assert.Equal(ModelTasks.BinaryClassification, s.Task);
            Assert.Equal(["amount", "merchant_risk"], s.Inputs.Select(i => i.Name));
            Assert.Equal([-1L, 1L], s.Inputs[0].Shape.ToArray());
            Assert.Equal("fastTree", s.Training.Builtin!.Algorithm);
            Assert.Equal(42, s.Training.Builtin.Seed);
            Assert.Equal(1, s.Training.Resources.Gpus);
            Assert.Equal("t4", s.Training.Resources.Pool);
            Assert.Equal("4Gi", s.Training.Resources.Memory);
            Assert.Equal("2", s.Training.Resources.Cpu);
            Assert.Equal("1h30m", s.Training.Timeout);
            Assert.Equal(1, s.Training.Retries);
            Assert.Equal(new Autoscaling(2, 10, 70), s.Serving.Autoscaling);
            Assert.Equal(new Batching(32, "5ms"), s.Serving.Batching);
            Assert.Equal(["fraud-quality"], s.Gates.ToArray());
            Assert.Equal("canary-standard", s.Rollout);
            Assert.Equal(["staging", "prod"], s.Environments.ToArray());
            Assert.Equal(1, s.Overrides["staging"].Serving!.Replicas);
            Assert.Equal(new ResourceRequest { Cpu = "4", Memory = "8Gi", Gpus = 2, Pool = "a100" }, s.Overrides["prod"].TrainingResources);
            Assert.Equal("payments", model.Metadata.Labels["team"]);
        }

        [Fact]
        public void Should_Keep_Hyperparameters_As_Written()
        {
            // Given
            var hyperparameters = Fraud.Spec.Training.Hyperparameters;

            // When
            var learningRate = hyperparameters["learningRate"];

            // Then
            Assert.Equal("0.10", learningRate);
            Assert.Equal("100", hyperparameters["numberOfTrees"]);
            Assert.Equal("yes", Churn.Spec.Training!.Hyperparameters["useCategorical"]);
        }

        [Fact]
        public void Should_Bind_Rollout_Steps_Of_Every_Shape()
        {
            // Given
            var steps = ValidRepo.Specs.RolloutPolicy("canary-standard")!.Spec.Steps;

            // When
            var shapes = steps.Select(s => s switch
            {
                { SetWeight: { } w } => $"weight {w}",
                { Pause: { } d } => $"pause {d}",
                { PauseUntilPromoted: true } => "pause until promoted",
                { Analysis: { } a } => "analysis " + string.Join(",", a),
                { SetHeaderRoute: { } h } => $"header {h.Name} {h.Header}={h.Value}",
                { Mirror: { } m } => $"mirror {m}",
                _ => "?",
            });

            // Then
            Assert.Equal(
                ["weight 10", "pause 5m", "analysis error-rate,latency-p99", "header beta X-Canary=true", "mirror 20", "weight 50", "pause until promoted", "weight 100"],
                shapes);
        }

        [Fact]
        public void Should_Bind_Environment_Cluster_Pools_And_Promotion()
        {
            // Given
            var prod = ValidRepo.Specs.Environment("prod")!.Spec;
            var staging = ValidRepo.Specs.Environment("staging")!.Spec;

            // When
            var a100 = prod.GpuPools[0];

            // Then
            Assert.Equal(new KubernetesTarget("prod-eu-west", false), prod.Cluster.Kubernetes);
            Assert.Null(prod.Cluster.Local);
            Assert.Equal(new LocalTarget(".gitops/staging"), staging.Cluster.Local);
            Assert.Equal(2.93m, a100.PricePerGpuHour);
            Assert.Equal(8, a100.Quota);
            Assert.Equal("nvidia.com/gpu", a100.Resource);
            Assert.Equal(new Promotion("staging", "24h"), prod.Promotion);
            Assert.Equal(new Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"), staging.GpuPools[0].Tolerations[0]);
        }

        [Fact]
        public void Should_Point_Key_And_Value_Spans_At_The_Exact_Node()
        {
            // Given
            var origin = Fraud.Origin;

            // When
            var key = origin.Key("spec.training.resources.gpus");
            var value = origin.Value("spec.training.resources.gpus");

            // Then
            Assert.Equal(new SourceSpan("models/fraud-detector/model.yaml", 32, 7, 32, 11), key);
            Assert.Equal(new SourceSpan("models/fraud-detector/model.yaml", 32, 13, 32, 14), value);
            Assert.Equal("models/fraud-detector/model.yaml:40:20", origin.Value("spec.serving.autoscaling.maxReplicas").ToString());
            Assert.Equal("models/fraud-detector/model.yaml:38:5", origin.Key("spec.serving.autoscaling").ToString());
        }

        [Fact]
        public void Should_Point_Spans_Into_Lists_And_Flow_Sequences()
        {
            // Given
            var origin = Fraud.Origin;
            var environment = ValidRepo.Specs.Environment("prod")!.Origin;

            // When
            var secondEnvironment = origin.Value("spec.environments[1]");
            var price = environment.Key("spec.gpuPools[0].pricePerGpuHour");

            // Then
            Assert.Equal("models/fraud-detector/model.yaml:50:27", secondEnvironment.ToString());
            Assert.Equal("environments/prod/environment.yaml:22:7", price.ToString());
            Assert.Equal("environments/prod/environment.yaml:22:24", environment.Value("spec.gpuPools[0].pricePerGpuHour").ToString());
        }

        [Fact]
        public void Should_Fall_Back_To_The_Nearest_Ancestor_Span()
        {
            // Given
            var origin = Fraud.Origin;

            // When
            var missing = origin.Value("spec.serving.replicas");

            // Then
            Assert.Equal(origin.Value("spec.serving"), missing);
        }

        [Fact]
        public void Should_Track_The_Second_Document_Of_A_File()
        {
            // Given
            var experiment = ValidRepo.Specs.Experiments.Single();

            // When
            var origin = experiment.Origin;

            // Then
            Assert.Equal(1, origin.DocumentIndex);
            Assert.Equal("models/fraud-detector/model.yaml", origin.File);
            Assert.Equal(86, origin.DocumentSpan.Line);
            Assert.Equal("models/fraud-detector/model.yaml:94:13", origin.Value("spec.search.method").ToString());
        }

        [Fact]
        public void Should_Fill_Raw_With_Yaml_1_2_Core_Scalars()
        {
            // Given
            var raw = Fraud.Origin.Raw;

            // When
            var hyperparameters = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)raw["spec"]!)["training"]!)["hyperparameters"]!;

            // Then
            Assert.Equal("Model", raw["kind"]);
            Assert.Equal(100L, hyperparameters["numberOfTrees"]);
            Assert.Equal(0.1, hyperparameters["learningRate"]);
            var churnTraining = (Dictionary<string, object?>)((Dictionary<string, object?>)Churn.Origin.Raw["spec"]!)["training"]!;
            Assert.Equal("yes", ((Dictionary<string, object?>)churnTraining["hyperparameters"]!)["useCategorical"]);
            var inputs = (List<object?>)((Dictionary<string, object?>)raw["spec"]!)["inputs"]!;
            Assert.Equal(2, inputs.Count);
        }

        [Theory]
        [InlineData("true", true)]
        [InlineData("False", false)]
        [InlineData("TRUE", true)]
        [InlineData("yes", "yes")]
        [InlineData("on", "on")]
        [InlineData("No", "No")]
        [InlineData("~", null)]
        [InlineData("null", null)]
        [InlineData("", null)]
        [InlineData("42", 42L)]
        [InlineData("-7", -7L)]
        [InlineData("+12", 12L)]
        [InlineData("012", 12L)]
        [InlineData("0x1F", 31L)]
        [InlineData("0o17", 15L)]
        [InlineData("1.5", 1.5)]
        [InlineData("1e3", 1000.0)]
        [InlineData("-.5", -0.5)]
        [InlineData("5.", 5.0)]
        [InlineData(".inf", double.PositiveInfinity)]
        [InlineData("-.Inf", double.NegativeInfinity)]
        [InlineData(".NaN", double.NaN)]
        [InlineData("0x", "0x")]
        [InlineData("0o8", "0o8")]
        [InlineData("1_000", "1_000")]
        [InlineData("12:30", "12:30")]
        [InlineData("2024-05-01", "2024-05-01")]
        [InlineData("1e", "1e")]
        [InlineData(".", ".")]
        [InlineData("-", "-")]
        [InlineData("99999999999999999999", 1e20)]
        public void Should_Resolve_Plain_Scalars_With_The_Yaml_1_2_Core_Schema(string text, object? expected)
        {
            // Given
            var plain = text;

            // When
            var value = GitOps.Specs.Yaml.CoreSchema.Resolve(plain);

            // Then
            Assert.Equal(expected, value);
        }

        [Fact]
        public void Should_Keep_Quoted_And_Str_Tagged_Scalars_As_Strings_In_Raw()
        {
            // Given
            var text = SpecText.Model(trainingExtra: """
                hyperparameters:
                  hex: 0x1F
                  switch: on
                  quoted: '42'
                  tagged: !!str 42
                  tagged-float: !!float 3
                  infinite: .inf
                  literal: |
                    text
                """);

            // When
            var result = SpecLoader.Load(SpecText.Files(("models/fraud/model.yaml", text)));

            // Then
            Assert.Empty(result.Diagnostics);
            var model = result.Specs.Models.Single();
            var raw = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)model.Origin.Raw["spec"]!)["training"]!)["hyperparameters"]!;
            Assert.Equal(31L, raw["hex"]);
            Assert.Equal("on", raw["switch"]);
            Assert.Equal("42", raw["quoted"]);
            Assert.Equal("42", raw["tagged"]);
            Assert.Equal(3.0, raw["tagged-float"]);
            Assert.Equal(double.PositiveInfinity, raw["infinite"]);
            Assert.Equal("text\n", raw["literal"]);
            Assert.Equal("0x1F", model.Spec.Training.Hyperparameters["hex"]);
        }

        [Fact]
        public void Should_Skip_Empty_Documents_And_Accept_A_Byte_Order_Mark()
        {
            // Given
            var bom = new byte[] { 0xEF, 0xBB, 0xBF };
            var text = "# comment only\n---\n---\n" + SpecText.Model() + "---\n";
            var file = new SourceFile("models/fraud/model.yaml", [.. bom, .. System.Text.Encoding.UTF8.GetBytes(text)]);

            // When
            var result = SpecLoader.Load([file, SourceFile.FromText("models/empty.yaml", "# nothing here\n")]);

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(1, result.Specs.Models.Single().Origin.DocumentIndex);
        }

        [Fact]
        public void Should_Expand_Aliases_Within_Limits()
        {
            // Given
            var text = SpecText.Model(specExtra: """
                serving:
                  resources: &small {cpu: 500m, memory: 512Mi}
                overrides:
                  prod:
                    serving:
                      resources: *small
                environments: [prod]
                """);

            // When
            var result = SpecValidator.Validate(SpecText.Files(("models/fraud/model.yaml", text), ("environments/prod/environment.yaml", SpecText.Environment())));

            // Then
            Assert.Empty(result.Diagnostics);
            var model = result.Specs.Models.Single();
            Assert.Equal("512Mi", model.Spec.Overrides["prod"].Serving!.Resources!.Memory);
            Assert.Equal(21, model.Origin.Value("spec.overrides.prod.serving.resources").Line);
        }

        [Theory]
        [InlineData("{minReplicas: 2, maxReplicas: 8}", 80, null, null)]
        [InlineData("{minReplicas: 2, maxReplicas: 8, targetRequestsPerSecond: 40}", null, null, 40.0)]
        [InlineData("{minReplicas: 2, maxReplicas: 8, targetInFlightRequests: 3.5, targetCpuUtilization: 70}", 70, 3.5, null)]
        public void Should_Target_Cpu_Only_When_Asked_Or_When_No_Target_Is_Given(string autoscaling, int? cpu, double? inFlight, double? rps)
        {
            // Given
            var text = SpecText.Model(specExtra: $"serving:\n  autoscaling: {autoscaling}");

            // When
            var result = SpecValidator.Validate(SpecText.Files(("models/fraud/model.yaml", text)));

            // Then
            Assert.Empty(result.Diagnostics);
            var bound = result.Specs.Models.Single().Spec.Serving.Autoscaling!;
            Assert.Equal((2, 8, cpu, inFlight, rps), (bound.MinReplicas, bound.MaxReplicas, bound.TargetCpuUtilization, bound.TargetInFlightRequests, bound.TargetRequestsPerSecond));
        }

        [Fact]
        public void Should_Refuse_A_Load_Target_That_Is_Not_Positive()
        {
            // Given
            var text = SpecText.Model(specExtra: "serving:\n  autoscaling: {minReplicas: 1, maxReplicas: 4, targetRequestsPerSecond: 0}");

            // When
            var result = SpecValidator.Validate(SpecText.Files(("models/fraud/model.yaml", text)));

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Contains("targetRequestsPerSecond", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Report_A_Duplicate_Key_At_The_Second_Occurrence()
        {
            // Given
            var text = SpecText.Model(specExtra: "owner: someone-else");

            // When
            var result = SpecLoader.Load(SpecText.Files(("models/fraud/model.yaml", text)));

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(DiagnosticIds.DuplicateKey, d.Id);
            Assert.Equal(16, d.Span.Line);
            Assert.Equal(3, d.Span.Column);
            Assert.Empty(result.Specs.Models);
        }

        [Fact]
        public void Should_Report_Every_Document_Of_A_Multi_Document_File()
        {
            // Given
            var text = SpecText.Model("a") + "---\n" + SpecText.Model("B") + "---\n" + SpecText.Model("c");

            // When
            var result = SpecLoader.Load(SpecText.Files(("models/all.yaml", text)));

            // Then
            Assert.Equal(["a", "c"], result.Specs.Models.Select(m => m.Name));
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(DiagnosticIds.PatternMismatch, d.Id);
            Assert.Equal(20, d.Span.Line);
        }

        [Fact]
        public void Should_Give_The_Same_Result_Whatever_The_Order_Of_Files()
        {
            // Given
            var files = SpecFileReader.Read(Fixtures.Valid).Concat(SpecFileReader.Read(Path.Combine(Fixtures.Invalid, "duplicate-model-name"))).ToList();

            // When
            var forward = SpecValidator.Validate(files);
            var backward = SpecValidator.Validate(Enumerable.Reverse(files));

            // Then
            Assert.Equal(forward.Diagnostics.ToArray(), backward.Diagnostics.ToArray());
            Assert.Equal(forward.Specs.Models.Select(m => m.Origin.File), backward.Specs.Models.Select(m => m.Origin.File));
        }
    }
}
