using GitOps.Cli.Commands;
using GitOps.Cli.Tests.Rollouts;
using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Registry;
using Xunit;

namespace GitOps.Cli.Tests.Retraining;

public sealed class PlanRetrainingTests
{
    /// <summary>The example repository with fraud-detector retrained weekly from a dated file.</summary>
    private static RolloutRepository Repository()
    {
        var repo = new RolloutRepository();
        var model = Path.Combine(repo.Root, "models", "fraud-detector", "model.yaml");
        File.WriteAllText(model, File.ReadAllText(model).Replace("    hyperparameters:",
            "    retrain:\n      uriTemplate: file:///data/fraud/{date}.csv\n      schedule: 7d\n    hyperparameters:", StringComparison.Ordinal));
        return repo;
    }

    public sealed class ThePlanCommand
    {
        [Fact]
        public async Task Should_Show_The_Recorded_Generation_And_The_Next_Scheduled_Retrain_When_The_Local_State_Records_One()
        {
            // Given local's state folder records generation 1 of fraud-detector, recorded a day ago
            using var repo = Repository();
            var specs = RepositoryValidator.Validate(RepositoryReader.Read(repo.Root)).Specs;
            var model = specs.Model("fraud-detector")!;
            var local = specs.Environment("local")!;
            var at = DateTimeOffset.UtcNow.AddDays(-1);
            var sha = new string('a', 64);
            var generation = RetrainGeneration.Initial(model, at.AddDays(-7))
                .Next(RetrainReasons.Schedule, "schedule every 7d (last 2026-11-23 03:00Z)", "file:///data/fraud/2026-11-30.csv", sha, at);
            var store = new LocalRegistryFactStore(LocalEnvironment.StateOf(repo.Root, local));
            Assert.True(await store.SaveAsync("local", DurableFacts.ToText(RegistryFacts.Empty.WithRetrain("fraud-detector", generation)), null, CancellationToken.None));

            // When
            var text = await CliRunner.RunAsync("plan", "--env", "local", "--env", "prod", "--repo", repo.Root);
            var markdown = await CliRunner.RunAsync("plan", "--env", "local", "--repo", repo.Root, "-o", "markdown");

            // Then local says which generation trains and when the next is due; prod, on Kubernetes, what is declared
            Assert.Equal((0, ""), (text.ExitCode, text.Stderr));
            Assert.Contains("\nRetraining in local:\n  fraud-detector: retrained: schedule every 7d (last 2026-11-23 03:00Z) → dataset file:///data/fraud/2026-11-30.csv "
                + $"sha256 aaaaaaaaaaaa (generation 1 at {RetrainSchedule.Time(at)}); next by schedule every 7d: {RetrainSchedule.Time(at.AddDays(7))}\n", text.Stdout);
            Assert.Contains("\nRetraining in prod:\n  fraud-detector: retrains every 7d from file:///data/fraud/{date}.csv; no retrain recorded here "
                + "(the reconciler records them; gitops status shows them) (follows staging by promotion)\n", text.Stdout);
            Assert.Contains("#### Retraining in `local`\n\n- fraud-detector: retrained: schedule every 7d", markdown.Stdout);
        }

        [Fact]
        public async Task Should_Say_A_Retrain_Is_Due_When_The_Schedule_Has_Passed_Since_The_Recorded_Generation()
        {
            // Given the baseline recorded eight days ago
            using var repo = Repository();
            var specs = RepositoryValidator.Validate(RepositoryReader.Read(repo.Root)).Specs;
            var at = DateTimeOffset.UtcNow.AddDays(-8);
            var store = new LocalRegistryFactStore(LocalEnvironment.StateOf(repo.Root, specs.Environment("local")!));
            await store.SaveAsync("local", DurableFacts.ToText(RegistryFacts.Empty.WithRetrain("fraud-detector",
                RetrainGeneration.Initial(specs.Model("fraud-detector")!, at))), null, CancellationToken.None);

            // When
            var text = await CliRunner.RunAsync("plan", "--env", "local", "--repo", repo.Root);

            // Then
            Assert.Contains($"  fraud-detector: trains on the dataset pinned in Git; retrain due: schedule every 7d (last {RetrainSchedule.Time(at)}); "
                + "the reconciler retrains on its next pass\n", text.Stdout);
        }
    }
}
