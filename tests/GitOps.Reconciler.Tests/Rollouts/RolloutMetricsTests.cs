using System.Text.RegularExpressions;
using GitOps.Reconciler.Metrics;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Tests.Rollouts;

public sealed class RolloutMetricsTests
{
    /// <summary>The exported phase series are exactly <paramref name="expected"/>, in any order.</summary>
    private static async Task AssertPhaseSeriesAsync(ReconcilerMetrics metrics, params string[] expected)
    {
        var series = (await metrics.ExportAsync(CancellationToken.None)).Split('\n')
            .Where(l => l.StartsWith("gitops_rollout_phase{", StringComparison.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), series.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Should_Keep_One_Phase_Series_Per_Rollout_Labelled_With_Its_Current_Phase()
    {
        // Given two models' rollouts, both healthy
        var metrics = new ReconcilerMetrics(includeProcessMetrics: false);
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Healthy, 0);
        metrics.Rollouts.SetState("prod", "churn", RolloutPhase.Healthy, 0);
        await AssertPhaseSeriesAsync(metrics,
            "gitops_rollout_phase{environment=\"prod\",model=\"churn\",phase=\"Healthy\"} 1",
            "gitops_rollout_phase{environment=\"prod\",model=\"fraud\",phase=\"Healthy\"} 1");

        // When one starts a canary, pauses, and is set again in the same phase
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Progressing, 20);
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Paused, 20);
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Paused, 50);

        // Then each rollout has exactly one phase series, the current one, and its weight
        await AssertPhaseSeriesAsync(metrics,
            "gitops_rollout_phase{environment=\"prod\",model=\"churn\",phase=\"Healthy\"} 1",
            "gitops_rollout_phase{environment=\"prod\",model=\"fraud\",phase=\"Paused\"} 1");
        var text = await metrics.ExportAsync(CancellationToken.None);
        Assert.Matches(new Regex("^gitops_rollout_weight\\{environment=\"prod\",model=\"fraud\"\\} 50$", RegexOptions.Multiline), text);

        // ... and the same model in another environment is a rollout of its own
        metrics.Rollouts.SetState("staging", "fraud", RolloutPhase.Degraded, 0);
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Healthy, 0);
        await AssertPhaseSeriesAsync(metrics,
            "gitops_rollout_phase{environment=\"prod\",model=\"churn\",phase=\"Healthy\"} 1",
            "gitops_rollout_phase{environment=\"prod\",model=\"fraud\",phase=\"Healthy\"} 1",
            "gitops_rollout_phase{environment=\"staging\",model=\"fraud\",phase=\"Degraded\"} 1");
    }

    [Fact]
    public async Task Should_Drop_The_Phase_And_Weight_Of_A_Model_No_Longer_Served_In_That_Environment_Only()
    {
        // Given fraud and churn rolled out in prod, and fraud in staging
        var metrics = new ReconcilerMetrics(includeProcessMetrics: false);
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Progressing, 20);
        metrics.Rollouts.SetState("prod", "churn", RolloutPhase.Healthy, 0);
        metrics.Rollouts.SetState("staging", "fraud", RolloutPhase.Healthy, 0);

        // When fraud is no longer served in prod
        metrics.Rollouts.Retain("prod", new HashSet<string>(["churn"]));

        // Then prod's fraud has neither phase nor weight; churn and staging's fraud keep theirs
        await AssertPhaseSeriesAsync(metrics,
            "gitops_rollout_phase{environment=\"prod\",model=\"churn\",phase=\"Healthy\"} 1",
            "gitops_rollout_phase{environment=\"staging\",model=\"fraud\",phase=\"Healthy\"} 1");
        var text = await metrics.ExportAsync(CancellationToken.None);
        Assert.DoesNotContain("gitops_rollout_weight{environment=\"prod\",model=\"fraud\"}", text, StringComparison.Ordinal);
        Assert.Contains("gitops_rollout_weight{environment=\"staging\",model=\"fraud\"} 0", text, StringComparison.Ordinal);

        // ... and served again, it is back in the phase it is set to
        metrics.Rollouts.SetState("prod", "fraud", RolloutPhase.Healthy, 0);
        Assert.Contains("gitops_rollout_phase{environment=\"prod\",model=\"fraud\",phase=\"Healthy\"} 1", await metrics.ExportAsync(CancellationToken.None), StringComparison.Ordinal);
    }
}
