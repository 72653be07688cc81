using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Tests.Support;

namespace GitOps.Reconciler.Tests.Lifecycle;

public sealed class TrainingFailureTests
{
    /// <summary>A Job's pod as the Job controller creates it from the template, with the status the kubelet or the
    /// scheduler gives it.</summary>
    private static JsonObject PodOf(JsonObject job, string name, JsonObject status)
    {
        var template = job["spec"]!["template"]!.DeepClone().AsObject();
        var labels = template["metadata"]!["labels"]!.DeepClone().AsObject();
        labels["batch.kubernetes.io/job-name"] = job["metadata"]!["name"]!.GetValue<string>();
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = SpecRepository.Namespace, ["labels"] = labels },
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = status,
        };
    }

    private static JsonObject Condition(string type, string status, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static JsonObject Terminated(string reason, int exitCode, string message) => new()
    {
        ["phase"] = "Failed",
        ["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = "trainer",
            ["image"] = "gitops/trainer:0.1.0",
            ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["reason"] = reason, ["exitCode"] = exitCode, ["message"] = message } },
        }),
    };

    /// <summary>Each failure kind: the Job's status, its pods' status, the outcome and what the line must say.</summary>
    public static TheoryData<string, JsonObject, JsonObject, string, string[]> Failures() => new()
    {
        {
            "backoff exhausted",
            new JsonObject { ["failed"] = 3, ["conditions"] = new JsonArray(Condition("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")) },
            Terminated("Error", 1, "epoch 1/3\nloading dataset\nValueError: column 'amount' not found in fraud.csv\n"),
            TrainingRun.BackoffExhausted,
            ["every attempt failed (3 of 3): Job has reached the specified backoff limit", "last message: epoch 1/3 | loading dataset | ValueError: column 'amount' not found in fraud.csv"]
        },
        {
            "deadline exceeded",
            new JsonObject { ["failed"] = 1, ["conditions"] = new JsonArray(Condition("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline")) },
            Terminated("Error", 137, "step 40/100"),
            TrainingRun.DeadlineExceeded,
            ["the Job ran longer than training.timeout (", "s): Job was active longer than specified deadline", "last message: step 40/100"]
        },
        {
            "image pull error",
            new JsonObject { ["active"] = 1 },
            new JsonObject
            {
                ["phase"] = "Pending",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "trainer",
                    ["image"] = "gitops/trainer:0.1.0",
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = "Back-off pulling image \"gitops/trainer:0.1.0\"" } },
                }),
            },
            TrainingRun.ImagePullError,
            ["ImagePullBackOff: image gitops/trainer:0.1.0 cannot be pulled: Back-off pulling image", "fix training.image"]
        },
        {
            "unschedulable",
            new JsonObject { ["active"] = 1 },
            new JsonObject
            {
                ["phase"] = "Pending",
                ["conditions"] = new JsonArray(Condition("PodScheduled", "False", "Unschedulable",
                    "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available")),
            },
            TrainingRun.Unschedulable,
            ["no node can run the training pod", "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector", "add nodes to the GPU pool"]
        },
    };

    public sealed class TheReconcilePass
    {
        [Theory]
        [MemberData(nameof(Failures), MemberType = typeof(TrainingFailureTests))]
        public async Task Should_Report_The_Failure_With_Its_Reason_Count_It_Once_And_Not_Retry_It_When_A_Training_Job_Fails(
            string kind, JsonObject jobStatus, JsonObject podStatus, string outcome, string[] says)
        {
            // Given a model whose training Job then fails in this way
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));
            await rig.RunAsync();
            var job = rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job");
            var key = KeyOf(job);
            rig.Cluster.Server.SetStatus(key, jobStatus);
            // The API server ignores status on create: the kubelet and the scheduler write it afterwards.
            var pod = rig.Cluster.Server.Seed(PodOf(job, $"{key.Name}-abcde", podStatus));
            rig.Cluster.Server.SetStatus(new ResourceKey("v1", "Pod", SpecRepository.Namespace, key.Name + "-abcde"), podStatus);
            Assert.NotNull(pod);

            // When
            var first = await rig.RunAsync();
            var second = await rig.RunAsync();

            // Then the outcome names the model, the kind of failure and why, in the outcome and the status ConfigMap
            Assert.True(first.Training.Length == 1, $"{kind}: {string.Join(" / ", first.Training)}");
            var line = first.Training[0];
            Assert.StartsWith($"fraud {job["metadata"]!["labels"]![ManagedLabels.Version]} {outcome}: ", line);
            foreach (var text in says)
            {
                Assert.Contains(text, line);
            }
            var status = await rig.StatusAsync();
            Assert.Equal(line, status!.Training);
            Assert.Equal(line, Assert.Single(second.Training));
            // and it is counted once
            var exported = await rig.Metrics.ExportAsync(CancellationToken.None);
            Assert.Contains($"gitops_training_runs_total{{model=\"fraud\",outcome=\"{outcome}\"}} 1", exported);
            // and the Job is neither replaced nor run again while the inputs are the same
            Assert.IsType<ReconcileOutcome.NoChange>(second);
            var after = rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job");
            Assert.Equal(job["metadata"]!["uid"]!.ToString(), after["metadata"]!["uid"]!.ToString());
            Assert.DoesNotContain(rig.Managed(), o => o["kind"]!.GetValue<string>() == "Deployment");
            Assert.Contains(rig.Logs.Lines, l => l.Contains(outcome, StringComparison.Ordinal) && l.Contains("fraud", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Count_A_Succeeded_Run_Once_And_Report_Nothing_When_Training_Succeeds()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));
            await rig.RunAsync();
            var job = rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job");
            rig.Cluster.Server.SetStatus(KeyOf(job), new JsonObject
            {
                ["succeeded"] = 1,
                ["conditions"] = new JsonArray(Condition("Complete", "True", "Completed", "the Job completed")),
            });

            // When
            var outcome = await rig.RunAsync();
            await rig.RunAsync();

            // Then
            Assert.Empty(outcome.Training);
            Assert.Null((await rig.StatusAsync())!.Training);
            Assert.Contains("gitops_training_runs_total{model=\"fraud\",outcome=\"succeeded\"} 1", await rig.Metrics.ExportAsync(CancellationToken.None));
        }
    }

    public sealed class TheClassifyMethod
    {
        [Fact]
        public void Should_Classify_Compactly_Kept_Jobs_As_Their_Trees_And_Read_Each_Job_Once()
        {
            // Given a Job of each standing, and a pod of the one that cannot pull its image
            JsonObject Job(string name, JsonObject status) => new()
            {
                ["apiVersion"] = "batch/v1",
                ["kind"] = "Job",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = SpecRepository.Namespace,
                    ["uid"] = $"uid-{name}",
                    ["labels"] = new JsonObject { [ManagedLabels.Model] = name, [ManagedLabels.Version] = "abc" },
                },
                ["spec"] = new JsonObject { ["backoffLimit"] = 2, ["activeDeadlineSeconds"] = 600 },
                ["status"] = status,
            };
            JsonObject[] trees =
            [
                Job("done", new JsonObject { ["conditions"] = new JsonArray(Condition("Complete", "True", "Completed", "ok")) }),
                Job("exhausted", new JsonObject { ["failed"] = 3, ["conditions"] = new JsonArray(Condition("Failed", "True", "BackoffLimitExceeded", "limit")) }),
                Job("late", new JsonObject { ["failed"] = 1, ["conditions"] = new JsonArray(Condition("Failed", "True", "DeadlineExceeded", "deadline")) }),
                Job("pulling", new JsonObject { ["active"] = 1 }),
            ];
            JsonObject[] pods = [PodOf(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = "pulling" },
                ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject() }, ["spec"] = new JsonObject() } },
            }, "pulling-x", new JsonObject
            {
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "trainer", ["image"] = "trainer:1",
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ErrImagePull", ["message"] = "not found" } },
                }),
            })];
            var compact = ObservedObjects.Of(trees);

            // When
            var fromTrees = TrainingRuns.Classify(trees, pods);
            var fromText = TrainingRuns.Classify(compact, pods);

            // Then
            Assert.Equal(fromTrees.AsEnumerable(), fromText.AsEnumerable());
            Assert.Equal([TrainingRun.Succeeded, TrainingRun.BackoffExhausted, TrainingRun.DeadlineExceeded, TrainingRun.ImagePullError],
                fromText.Select(r => r.Outcome));
            Assert.Contains("(3 of 3)", fromText[1].Message);
            Assert.Contains("(600s)", fromText[2].Message);
            Assert.Same(compact.Items[0].Read(TrainingJob.Read), compact.Items[0].Read(TrainingJob.Read));
        }
    }

    private static ResourceKey KeyOf(JsonObject o) => new(o["apiVersion"]!.GetValue<string>(), o["kind"]!.GetValue<string>(),
        SpecRepository.Namespace, o["metadata"]!["name"]!.GetValue<string>());
}
