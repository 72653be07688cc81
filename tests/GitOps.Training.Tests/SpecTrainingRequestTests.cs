using System.Collections.Immutable;
using GitOps.Specs.Model;
using GitOps.Training.Builtin;

namespace GitOps.Training.Tests;

public sealed class SpecTrainingRequestTests
{
    private static ModelSpec Model(TrainingSpec training, string? label = "is_fraud") => new(
        Metadata.Named("fraud"),
        SpecOrigin.InMemory("models/fraud/model.yaml"),
        new ModelBody
        {
            Owner = "risk",
            Task = ModelTasks.BinaryClassification,
            Label = label,
            Inputs = [new TensorSpec("amount", "float32", [-1, 1]), new TensorSpec("hour", "float32", [-1, 1])],
            Training = training,
        });

    public sealed class TheFromMethod
    {
        [Fact]
        public void Should_Map_The_Builtin_Training_Spec()
        {
            // Given
            var model = Model(new TrainingSpec
            {
                Builtin = new BuiltinTrainer(BuiltinAlgorithms.LightGbm, 11),
                Dataset = new DatasetRef("s3://data/fraud.csv", new string('f', 64)),
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfLeaves", "31"),
            });

            // When
            var (request, error) = SpecTrainingRequest.From(model, "/data/fraud.csv", "/out", "a1b2c3");

            // Then
            Assert.Null(error);
            Assert.Equal(new[] { "amount", "hour" }, request!.Features.ToArray());
            Assert.Equal(BuiltinAlgorithms.LightGbm, request.Algorithm);
            Assert.Equal(11, request.Seed);
            Assert.Equal("31", request.Hyperparameters["numberOfLeaves"]);
            Assert.Equal(new string('f', 64), request.ExpectedDatasetSha256);
            Assert.Equal("a1b2c3", request.ModelVersion);
        }

        [Fact]
        public void Should_Refuse_A_Custom_Image()
        {
            // Given
            var model = Model(new TrainingSpec { Image = "registry.example/trainer:1", Dataset = new DatasetRef("file:///d.csv", "") });

            // When
            var (request, error) = SpecTrainingRequest.From(model, "/d.csv", "/out");

            // Then
            Assert.Null(request);
            Assert.Equal("model 'fraud' uses a custom training image; only the builtin trainer runs here", error);
        }
    }
}
