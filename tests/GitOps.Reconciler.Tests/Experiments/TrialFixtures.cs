using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Experiments;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Testing.FakeKubernetes;

namespace GitOps.Reconciler.Tests.Experiments;

/// <summary>The experiment the tests run, and what a trial's trainer and the Job controller do when it ends.</summary>
internal static class TrialFixtures
{
    /// <summary><c>fraud-sweep</c>: a grid of four tree counts of model <c>fraud</c>, maximising auc, ending with
    /// <paramref name="tail"/> (indented two spaces, under <c>spec</c>).</summary>
    public static string Experiment(int parallelism, string tail = "") => $$"""
        apiVersion: ml.gitops/v1alpha1
        kind: Experiment
        metadata:
          name: fraud-sweep
        spec:
          model: fraud
          search:
            method: grid
            parameters:
              - name: numberOfTrees
                values: [10, 20, 30, 40]
          objective:
            metric: auc
            direction: maximize
          maxTrials: 4
          parallelism: {{parallelism.ToString(CultureInfo.InvariantCulture)}}

        """ + tail;

    /// <summary>A trial succeeds: its trainer publishes <c>metrics.json</c>, <c>lineage.json</c> and the model, then
    /// the Job is Complete.</summary>
    public static async Task CompleteAsync(FakeKubernetesApiServer server, IArtifactStore store, ExperimentRunPlan plan, int trial, double auc)
    {
        var t = plan.Trials[trial - 1].Trial;
        var metrics = string.Create(CultureInfo.InvariantCulture, $$$"""{"auc": {{{auc}}}, "model": {"sizeBytes": 5, "sizeMb": 0.000005, "latencyP50Ms": 0.02, "latencyP99Ms": 0.05, "latencyRuns": 200}}""");
        var lineage = """
            {"trainer": {"name": "gitops-builtin", "version": "0.1.0"}, "dataset": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "rows": 20000},
             "hyperparameters": {}, "timing": {"startedAt": "2026-11-30T06:00:00Z", "finishedAt": "2026-11-30T06:01:00Z"}}
            """;
        await store.CreateAsync(RegistryLayout.ArtifactFile(t.Model.Name, t.Version, TrainingContract.MetricsFile), new MemoryStream(Encoding.UTF8.GetBytes(metrics)), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ArtifactFile(t.Model.Name, t.Version, TrainingContract.LineageFile), new MemoryStream(Encoding.UTF8.GetBytes(lineage)), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ModelFile(t.Model.Name, t.Version), new MemoryStream("onnx!"u8.ToArray()), "application/octet-stream", CancellationToken.None);
        server.SetStatus(TrialJobs.Key(plan.Environment, plan.Trials[trial - 1].Name), new JsonObject
        {
            ["succeeded"] = 1,
            ["startTime"] = "2026-11-30T12:00:00Z",
            ["completionTime"] = "2026-11-30T12:05:00Z",
            ["conditions"] = new JsonArray { new JsonObject { ["type"] = "Complete", ["status"] = "True" } },
        });
    }

    /// <summary>A trial's Job exhausts its retries.</summary>
    public static void Fail(FakeKubernetesApiServer server, ExperimentRunPlan plan, int trial) =>
        server.SetStatus(TrialJobs.Key(plan.Environment, plan.Trials[trial - 1].Name), new JsonObject
        {
            ["failed"] = 3,
            ["conditions"] = new JsonArray { new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit" } },
        });
}
