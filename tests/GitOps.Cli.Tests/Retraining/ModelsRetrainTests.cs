using System.Security.Cryptography;
using System.Text;
using GitOps.Cli.Tests.Rollouts;
using GitOps.Planning.Retraining;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Specs;
using Xunit;

namespace GitOps.Cli.Tests.Retraining;

public sealed class ModelsRetrainTests
{
    public sealed class TheRetrainCommand : IDisposable
    {
        private readonly RolloutRepository _repo = new();
        private readonly DirectoryInfo _datasets = Directory.CreateTempSubdirectory("gitops-manual-retrain-");

        public TheRetrainCommand()
        {
            var model = Path.Combine(_repo.Root, "models", "fraud-detector", "model.yaml");
            File.WriteAllText(model, File.ReadAllText(model).Replace("    hyperparameters:",
                $"    retrain:\n      uriTemplate: {Template}\n    hyperparameters:", StringComparison.Ordinal));
        }

        public void Dispose()
        {
            _repo.Dispose();
            _datasets.Delete(recursive: true);
        }

        private string Template => new Uri(_datasets.FullName + "/").AbsoluteUri + "fraud-{date}.csv";

        private Task<CliRunner.Result> RetrainAsync(string environment) =>
            CliRunner.RunAsync(_repo.Args("models", "retrain", "--model", "fraud-detector", "--env", environment, "--actor", "alice"));

        private Task<GitOps.Reconciler.Registry.StoredFacts?> FactsAsync() =>
            new LocalRegistryFactStore(StateFolder.For(_repo.StatePath)).ReadAsync("local", CancellationToken.None);

        [Fact]
        public async Task Should_Record_A_Manual_Generation_With_Todays_Dataset_When_It_Is_Published()
        {
            // Given today's dataset
            var uri = DatasetTemplates.Resolve(Template, DateTimeOffset.UtcNow);
            await File.WriteAllTextAsync(new Uri(uri).LocalPath, "amount,label\n1,0\n2,1\n");
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("amount,label\n1,0\n2,1\n")));

            // When
            var result = await RetrainAsync("local");

            // Then
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            Assert.StartsWith($"recorded retrain generation 1 of fraud-detector in local: dataset {uri} sha256 {sha[..12]} → version ", result.Stdout);
            var generation = (await FactsAsync())!.Facts.Retrains["fraud-detector"];
            Assert.Equal((1, RetrainReasons.Manual, "alice", uri, sha), (generation.Generation, generation.Reason, generation.By, generation.DatasetUri, generation.DatasetSha256));

            // And the same data again records nothing
            var again = await RetrainAsync("local");
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("is what fraud-detector already trains on in local", again.Stdout);
            Assert.Equal(1, (await FactsAsync())!.Facts.Retrains["fraud-detector"].Generation);
        }

        [Fact]
        public async Task Should_Exit_1_And_Record_Nothing_When_Todays_Dataset_Does_Not_Exist_Yet()
        {
            // Given no dataset for today
            var uri = DatasetTemplates.Resolve(Template, DateTimeOffset.UtcNow);

            // When
            var result = await RetrainAsync("local");

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"error: dataset {uri} does not exist yet; publish it, then run this again (nothing was recorded)\n", result.Stderr);
            Assert.Null(await FactsAsync());
        }

        [Fact]
        public async Task Should_Exit_2_And_Name_The_Source_When_The_Environment_Is_Fed_By_Promotion()
        {
            // Given prod, promoted from staging
            // When
            var result = await RetrainAsync("prod");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("environment prod is fed by promotion from staging and never trains: retrain in staging (--env staging)", result.Stderr);
        }
    }
}
