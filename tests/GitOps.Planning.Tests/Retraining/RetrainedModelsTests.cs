using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Retraining;

public sealed class RetrainedModelsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);
    private static readonly EnvironmentSpec Staging = TestSpecs.Environment("staging");
    private static readonly string NewSha = new('b', 64);

    private static readonly ModelSpec Model = TestSpecs.Model("fraud-detector", ["staging"], body => body with
    {
        Training = body.Training with { Retrain = new RetrainSpec { UriTemplate = "s3://data/fraud/{date}.csv", Schedule = "7d" } },
    });

    private static RetrainGeneration Retrained(ModelSpec model) =>
        RetrainGeneration.Initial(model, At.AddDays(-7)).Next(RetrainReasons.Schedule, "schedule every 7d", "s3://data/fraud/2026-11-30.csv", NewSha, At);

    public sealed class TheComputeMethodWithAGeneration
    {
        [Fact]
        public void Should_Be_The_Git_Version_Without_A_Generation_Or_With_The_Baseline()
        {
            // When
            var none = ModelVersions.Compute(Model, Staging, null);
            var baseline = ModelVersions.Compute(Model, Staging, RetrainGeneration.Initial(Model, At));

            // Then
            Assert.Equal(ModelVersions.Compute(Model, Staging), none);
            Assert.Equal(ModelVersions.Compute(Model, Staging), baseline);
        }

        [Fact]
        public void Should_Hash_The_Resolved_Dataset_Sha256_Of_A_Retrain()
        {
            // Given
            var generation = Retrained(Model);
            var pinnedInGit = Model with { Spec = Model.Spec with { Training = Model.Spec.Training with { Dataset = new DatasetRef("s3://data/fraud/2026-11-30.csv", NewSha) } } };

            // When
            var version = ModelVersions.Compute(Model, Staging, generation);

            // Then: the same version Git would give had it pinned that dataset, so it is reproducible from Git + the fact.
            Assert.NotEqual(ModelVersions.Compute(Model, Staging), version);
            Assert.Equal(ModelVersions.Compute(pinnedInGit, Staging), version);
            Assert.Equal(version, ModelVersions.Compute(Model, Staging, generation with { Detail = "other words", At = At.AddHours(1) }));
        }

        [Fact]
        public void Should_Ignore_A_Generation_Once_Git_Pins_Another_Dataset_Or_Template()
        {
            // Given
            var generation = Retrained(Model);
            var repinned = Model with { Spec = Model.Spec with { Training = Model.Spec.Training with { Dataset = Model.Spec.Training.Dataset with { Sha256 = new string('c', 64) } } } };
            var retemplated = Model with { Spec = Model.Spec with { Training = Model.Spec.Training with { Retrain = Model.Spec.Training.Retrain! with { UriTemplate = "s3://data/v2/{date}.csv" } } } };

            // When / Then
            Assert.Same(repinned, RetrainedModels.Apply(repinned, generation));
            Assert.Same(retemplated, RetrainedModels.Apply(retemplated, generation));
            Assert.Equal(ModelVersions.Compute(repinned, Staging), ModelVersions.Compute(repinned, Staging, generation));
        }

        [Fact]
        public void Should_Replace_Only_The_Retrained_Models_Of_A_Set()
        {
            // Given
            var other = TestSpecs.Model("churn", ["staging"]);
            var specs = SpecSet.From([Model, other, Staging]);

            // When
            var applied = RetrainedModels.Apply(specs, new Dictionary<string, RetrainGeneration> { ["fraud-detector"] = Retrained(Model) });

            // Then
            Assert.Equal(NewSha, applied.Model("fraud-detector")!.Spec.Training.Dataset.Sha256);
            Assert.Equal("s3://data/fraud/2026-11-30.csv", applied.Model("fraud-detector")!.Spec.Training.Dataset.Uri);
            Assert.Same(other, applied.Model("churn"));
        }
    }
}
