using GitOps.Planning.Cluster;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Reconciler.Tests.Status;

public sealed class ShardStatusesTests
{
    private const string Applied = "0123456789abcdef0123456789abcdef01234567";
    private const string Stalled = "fedcba9876543210fedcba9876543210fedcba98";

    private static EnvironmentStatus Shard1 => new()
    {
        Environment = "prod",
        Outcome = "NoChange",
        LastAppliedCommit = Applied,
        LastAttemptedCommit = Applied,
        Held = "fraud 9a75b5701b77 rejected: gates rejected: auc 0.81 < 0.85",
        LastAppliedTime = DateTimeOffset.Parse("2026-12-04T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static EnvironmentStatus Shard2 => new()
    {
        Environment = "prod",
        Outcome = "Stalled",
        LastAppliedCommit = Applied,
        LastAttemptedCommit = Stalled,
        Message = "commit has 1 error",
        Training = "churn 1b2c3d4e5f60 BackoffLimitExceeded: Job has reached the specified backoff limit\n",
        LastAppliedTime = DateTimeOffset.Parse("2026-12-04T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };

    public sealed class TheMergeMethod
    {
        [Fact]
        public void Should_Show_The_Worst_Outcome_Every_Shard_And_Every_Shards_Model_Lines()
        {
            // When
            var merged = ShardStatuses.Merge("prod", [("1/2", Shard1), ("2/2", Shard2)]);

            // Then
            Assert.NotNull(merged);
            Assert.Equal("Stalled", merged.Outcome);
            Assert.Equal("shard 1/2: NoChange at 0123456789ab; shard 2/2: Stalled at fedcba987654 (commit has 1 error)", merged.Message);
            Assert.Null(merged.LastAttemptedCommit);
            Assert.Equal(Applied, merged.LastAppliedCommit);
            Assert.Equal(Shard1.Held, merged.Held);
            Assert.Equal(Shard2.Training!.TrimEnd('\n'), merged.Training);
            Assert.Equal(Shard2.LastAppliedTime, merged.LastAppliedTime);
        }

        [Theory]
        [InlineData("Applied", "NoChange", "Applied")]
        [InlineData("NoChange", "Retry", "Retry")]
        [InlineData("Retry", "Refused", "Refused")]
        [InlineData("Refused", "Stalled", "Stalled")]
        [InlineData("Unknown", "NoChange", "Unknown")]
        public void Should_Rank_Outcomes_By_What_A_Person_Must_Act_On_First(string first, string second, string expected)
        {
            var merged = ShardStatuses.Merge("prod", [("1/2", Shard1 with { Outcome = first }), ("2/2", Shard2 with { Outcome = second })]);

            Assert.Equal(expected, merged!.Outcome);
        }

        [Fact]
        public void Should_Return_The_Only_Status_As_It_Is_And_None_Without_Any()
        {
            Assert.Same(Shard1Instance, ShardStatuses.Merge("prod", [("1/1", Shard1Instance)]));
            Assert.Null(ShardStatuses.Merge("prod", []));
        }

        private static readonly EnvironmentStatus Shard1Instance = Shard1;
    }

    /// <summary>The web console of a sharded reconciler, reading the statuses over HTTP from the fake API server.</summary>
    public sealed class TheConsoleOfAShard
    {
        [Fact]
        public async Task Should_Show_Every_Current_Shards_Status_Whichever_Shard_Serves_It()
        {
            // Given shard 1 of 2, the statuses both shards wrote, and one left from when there were three shards
            await using var cluster = await FakeCluster.StartAsync();
            var ns = ReconcilerRig.StatusNamespace;
            await new ConfigMapStatusStore(cluster.Connection, ns, new Shard(1, 2)).SaveAsync(Shard1, CancellationToken.None);
            await new ConfigMapStatusStore(cluster.Connection, ns, new Shard(2, 2)).SaveAsync(Shard2, CancellationToken.None);
            await new ConfigMapStatusStore(cluster.Connection, ns, new Shard(3, 3)).SaveAsync(Shard1 with { Outcome = "Refused" }, CancellationToken.None);
            var app = App(cluster, new Shard(1, 2));

            // When
            var view = await app.ConsoleSources().Status("prod", CancellationToken.None);

            // Then the worst current outcome, both shards named, and the models both shards report
            Assert.Equal("Stalled", view.Outcome);
            Assert.StartsWith("shard 1/2: NoChange", view.Message);
            Assert.Contains("shard 2/2: Stalled", view.Message);
            Assert.DoesNotContain("3/3", view.Message);
            Assert.Equal(["churn", "fraud"], view.Models.Select(m => m.Model));
        }

        private static ReconcilerApp App(FakeCluster cluster, Shard shard)
        {
            var status = new ConfigMapStatusStore(cluster.Connection, ReconcilerRig.StatusNamespace, shard);
            return new ReconcilerApp(
                new ReconcilerOptions { Environments = ["prod"], Branch = "main", Shard = shard },
                new ReconcilerPorts(
                    new GitSource(new GitSourceOptions { Url = "file:///nonexistent", Branch = "main", CacheDirectory = Path.GetTempPath() }),
                    cluster.Driver(), status, new SingleReplicaLeadership("replica-a"),
                    new ClusterRegistry(new ConfigMapRegistryFactStore(cluster.Connection, ReconcilerRig.StatusNamespace))),
                TimeProvider.System, NullLoggerFactory.Instance, RepositoryValidator.Validate);
        }
    }
}
