using GitOps.Policy;
using GitOps.Reconciler.LiveCluster;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Reconciler.Tests.LiveCluster;

public sealed class LiveClusterObserverTests
{
    private static SpecSet Specs(params (string Name, int Trees)[] models)
    {
        var files = new List<SourceFile> { SourceFile.FromText("environments/prod/environment.yaml", SpecRepository.Environment()) };
        files.AddRange(models.Select(m => SourceFile.FromText($"models/{m.Name}/model.yaml", SpecRepository.Model(m.Name, trees: m.Trees))));
        var load = RepositoryValidator.Validate(files);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        return load.Specs;
    }

    private static async Task<(ReconcilerRig Rig, LiveClusterTarget Target)> ConvergedAsync()
    {
        var rig = await ReconcilerRig.StartAsync();
        rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));
        await rig.RunAsync();
        var kubeconfig = rig.Cluster.Server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"gitops-live-{Guid.NewGuid():N}"),
            contextName: "live", token: FakeCluster.Token, @namespace: "default");
        return (rig, new LiveClusterTarget(kubeconfig, "live"));
    }

    public sealed class ThePlanAsyncMethod
    {
        [Fact]
        public async Task Should_Plan_Against_What_The_Cluster_Runs_And_Persist_Nothing()
        {
            // Given a converged cluster and a commit that changes the model
            var (rig, target) = await ConvergedAsync();
            await using var _ = rig;
            var before = rig.Managed().Select(o => o.ToJsonString()).ToList();

            // When
            var result = await LiveClusterObserver.PlanAsync(Specs(("fraud", 250)), ["prod"], "next", target, CancellationToken.None);

            // Then the plan replaces the training Job, every change passed the dry-run, and nothing was written
            var plan = Assert.Single(result.Plan.Environments).Plan;
            Assert.True(plan.HasChanges);
            Assert.False(result.HasErrors, string.Join("\n", result.DryRun));
            Assert.Equal(before, rig.Managed().Select(o => o.ToJsonString()).ToList());
            Assert.Contains(rig.Cluster.Server.Requests, r => r.Verb == "apply" && r.Query.Contains("dryRun=All", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_See_No_Change_When_The_Cluster_Already_Runs_The_Commit()
        {
            // Given
            var (rig, target) = await ConvergedAsync();
            await using var _ = rig;

            // When
            var result = await LiveClusterObserver.PlanAsync(Specs(("fraud", 100)), ["prod"], "same", target, CancellationToken.None);

            // Then
            Assert.False(Assert.Single(result.Plan.Environments).Plan.HasChanges);
            Assert.Empty(result.DryRun);
        }

        [Fact]
        public async Task Should_Report_An_Object_The_Cluster_Would_Refuse_At_Its_Model_File()
        {
            // Given
            var (rig, target) = await ConvergedAsync();
            await using var _ = rig;
            rig.Cluster.Server.FailNext(1, statusCode: 422, verb: "apply");

            // When
            var result = await LiveClusterObserver.PlanAsync(Specs(("fraud", 250)), ["prod"], "next", target, CancellationToken.None);

            // Then
            Assert.True(result.HasErrors);
            var refused = Assert.Single(result.DryRun, d => d.IsError);
            Assert.Equal(LiveClusterDiagnostics.DryRunRejected, refused.Id);
            Assert.Equal("models/fraud/model.yaml", refused.Span.File);
        }

        [Fact]
        public async Task Should_Say_What_To_Fix_When_The_Kubeconfig_Cannot_Be_Used()
        {
            // When
            var error = await Assert.ThrowsAsync<LiveClusterException>(() => LiveClusterObserver.PlanAsync(
                Specs(("fraud", 100)), ["prod"], "c", new LiveClusterTarget("/nonexistent/kubeconfig", "nowhere"), CancellationToken.None));

            // Then
            Assert.Contains("context nowhere of /nonexistent/kubeconfig", error.Message);
            Assert.Contains("--kubeconfig", error.Hint);
        }
    }
}
