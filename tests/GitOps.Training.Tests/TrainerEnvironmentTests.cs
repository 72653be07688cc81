using System.Collections.Immutable;
using GitOps.Training.Builtin;
using GitOps.Training.Contract;

namespace GitOps.Training.Tests;

public sealed class TrainerEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    public sealed class TheReadMethod
    {
        [Fact]
        public void Should_Read_Every_Contract_Variable_Into_A_Request()
        {
            // Given
            var env = Env(
                (TrainerEnvironment.Dataset, "/data/fraud.csv"),
                (TrainerEnvironment.DatasetSha256, "ab"),
                (TrainerEnvironment.Label, "is_fraud"),
                (TrainerEnvironment.Features, "amount, hour"),
                (TrainerEnvironment.Task, "binaryClassification"),
                (TrainerEnvironment.Algorithm, "lightGbm"),
                (TrainerEnvironment.Seed, "7"),
                (TrainerEnvironment.Hyperparameters, """{"numberOfIterations": 50, "learningRate": "0.1"}"""),
                (TrainerEnvironment.OutputDir, "/output"),
                (TrainerEnvironment.ValidationFraction, "0.25"),
                (TrainerEnvironment.ModelName, "fraud"),
                (TrainerEnvironment.ModelVersion, "abc"));

            // When
            var (inputs, error) = TrainerEnvironment.Read(env);
            var (request, requestError) = TrainerEnvironment.ToRequest(inputs!);

            // Then
            Assert.Null(error);
            Assert.Null(requestError);
            Assert.Equal("/data/fraud.csv", request!.DatasetPath);
            Assert.Equal(new[] { "amount", "hour" }, request.Features.ToArray());
            Assert.Equal(7, request.Seed);
            Assert.Equal(0.25, request.ValidationFraction);
            Assert.Equal("50", request.Hyperparameters["numberOfIterations"]);
            Assert.Equal("0.1", request.Hyperparameters["learningRate"]);
            Assert.Equal("abc", request.ModelVersion);
        }

        [Theory]
        [InlineData(TrainerEnvironment.Seed, "seven", "GITOPS_SEED must be a whole number, found 'seven'")]
        [InlineData(TrainerEnvironment.ValidationFraction, "a fifth", "GITOPS_VALIDATION_FRACTION must be a number between 0 and 1, found 'a fifth'")]
        [InlineData(TrainerEnvironment.Hyperparameters, "[1]", "GITOPS_HYPERPARAMETERS: must be a JSON object such as {\"numberOfTrees\": 100}")]
        [InlineData(TrainerEnvironment.Hyperparameters, "{\"a\": [1]}", "GITOPS_HYPERPARAMETERS: value of 'a' must be a string, number or boolean")]
        public void Should_Name_The_Variable_That_Is_Malformed(string name, string value, string message)
        {
            // Given // When
            var (inputs, error) = TrainerEnvironment.Read(Env((name, value)));

            // Then
            Assert.Null(inputs);
            Assert.Equal(message, error);
        }
    }

    public sealed class TheToRequestMethod
    {
        [Fact]
        public void Should_List_Every_Missing_Required_Value()
        {
            // Given
            var inputs = new TrainerInputs { Dataset = "d.csv", Task = "regression" };

            // When
            var (request, error) = TrainerEnvironment.ToRequest(inputs);

            // Then
            Assert.Null(request);
            Assert.Equal("missing --label or GITOPS_LABEL, --algorithm or GITOPS_ALGORITHM, --out or GITOPS_OUTPUT_DIR", error);
        }
    }

    public sealed class TheMergeMethod
    {
        [Fact]
        public void Should_Prefer_Options_And_Merge_Hyperparameters_Over_The_Environment()
        {
            // Given
            var options = new TrainerInputs { Seed = 1, Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfTrees", "10") };
            var environment = new TrainerInputs
            {
                Seed = 2,
                Label = "y",
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfTrees", "99").Add("learningRate", "0.3"),
            };

            // When
            var merged = TrainerEnvironment.Merge(options, environment);

            // Then
            Assert.Equal(1, merged.Seed);
            Assert.Equal("y", merged.Label);
            Assert.Equal("10", merged.Hyperparameters!["numberOfTrees"]);
            Assert.Equal("0.3", merged.Hyperparameters["learningRate"]);
        }
    }

    public sealed class TheToEnvironmentMethod
    {
        [Fact]
        public void Should_Round_Trip_A_Request_Through_The_Job_Environment()
        {
            // Given
            var request = new TrainingRequest
            {
                DatasetPath = "/data/x.csv",
                Label = "y",
                Features = ["a", "b"],
                Task = "regression",
                Algorithm = "sdca",
                Seed = 3,
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("l2Regularization", "0.01"),
                OutputDirectory = "/out",
                ValidationFraction = 0.3,
                ExpectedDatasetSha256 = new string('c', 64),
                ModelName = "m",
                ModelVersion = "v",
            };

            // When
            var env = TrainerEnvironment.ToEnvironment(request);
            var (inputs, _) = TrainerEnvironment.Read(env.GetValueOrDefault);
            var (back, _) = TrainerEnvironment.ToRequest(inputs!);

            // Then
            Assert.Equal(request with { Features = [], Hyperparameters = ImmutableSortedDictionary<string, string>.Empty }, back! with { Features = [], Hyperparameters = ImmutableSortedDictionary<string, string>.Empty });
            Assert.Equal(request.Features.ToArray(), back.Features.ToArray());
            Assert.Equal(request.Hyperparameters, back.Hyperparameters);
        }
    }
}
