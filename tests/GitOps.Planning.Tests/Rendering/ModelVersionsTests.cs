using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Rendering;

public sealed class ModelVersionsTests
{
    public sealed class TheComputeMethod
    {
        private static readonly EnvironmentSpec Staging = TestSpecs.Environment("staging");
        private static readonly ModelSpec Model = TestSpecs.Model("fraud-detector", ["staging"]);

        [Fact]
        public void Should_Be_Twelve_Hex_Characters_And_Stable()
        {
            // When
            var version = ModelVersions.Compute(Model, Staging);

            // Then
            Assert.Matches("^[0-9a-f]{12}$", version);
            Assert.Equal(version, ModelVersions.Compute(TestSpecs.Model("fraud-detector", ["staging"]), TestSpecs.Environment("staging")));
        }

        [Theory]
        [InlineData("hyperparameter")]
        [InlineData("dataset")]
        [InlineData("seed")]
        [InlineData("algorithm")]
        public void Should_Change_When_A_Training_Input_Changes(string input)
        {
            // Given
            var t = Model.Spec.Training;
            var changed = input switch
            {
                "hyperparameter" => t with { Hyperparameters = t.Hyperparameters.SetItem("learningRate", "0.2") },
                "dataset" => t with { Dataset = t.Dataset with { Sha256 = new string('a', 64) } },
                "seed" => t with { Builtin = t.Builtin! with { Seed = 7 } },
                _ => t with { Builtin = t.Builtin! with { Algorithm = BuiltinAlgorithms.LightGbm } },
            };

            // When
            var version = ModelVersions.Compute(Model with { Spec = Model.Spec with { Training = changed } }, Staging);

            // Then
            Assert.NotEqual(ModelVersions.Compute(Model, Staging), version);
        }

        [Fact]
        public void Should_Change_With_The_Trainer_Image_Of_The_Environment()
        {
            // Given
            var pinned = Staging with { Spec = Staging.Spec with { TrainerImage = "gitops/trainer:0.2.0" } };

            // When / Then
            Assert.NotEqual(ModelVersions.Compute(Model, Staging), ModelVersions.Compute(Model, pinned));
        }

        [Fact]
        public void Should_Not_Change_With_Resources_Timeout_Retries_Dataset_Uri_Or_Serving()
        {
            // Given
            var t = Model.Spec.Training;
            var changed = Model with
            {
                Spec = Model.Spec with
                {
                    Training = t with
                    {
                        Resources = new ResourceRequest { Gpus = 4, Pool = "l4" },
                        Timeout = "6h",
                        Retries = 5,
                        Dataset = t.Dataset with { Uri = "gs://moved/data.parquet" },
                    },
                    Serving = new ServingSpec { Replicas = 9 },
                },
            };

            // When / Then
            Assert.Equal(ModelVersions.Compute(Model, Staging), ModelVersions.Compute(changed, Staging));
        }
    }
}
