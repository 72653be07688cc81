using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Kubernetes;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class WorkloadHealthTests
{
    private static JsonObject Job(JsonObject? status, bool suspend = false) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["metadata"] = new JsonObject { ["name"] = "train", ["generation"] = 1 },
        ["spec"] = new JsonObject { ["suspend"] = suspend },
        ["status"] = status,
    };

    private static JsonObject Condition(string type, string status, string? reason = null, string? message = null)
    {
        var c = new JsonObject { ["type"] = type, ["status"] = status };
        if (reason is not null)
        {
            c["reason"] = reason;
        }
        if (message is not null)
        {
            c["message"] = message;
        }
        return c;
    }

    private static JsonObject Deployment(int replicas, long generation, JsonObject status) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "web", ["generation"] = generation },
        ["spec"] = new JsonObject { ["replicas"] = replicas },
        ["status"] = status,
    };

    public sealed class TheForJobMethod
    {
        [Fact]
        public void Should_Be_Complete_When_The_Complete_Condition_Is_True()
        {
            // Given
            var job = Job(new JsonObject { ["succeeded"] = 1, ["conditions"] = new JsonArray(Condition("SuccessCriteriaMet", "True"), Condition("Complete", "True")) });

            // When
            var health = WorkloadHealth.ForJob(job);

            // Then
            Assert.Equal(WorkloadState.Complete, health.State);
            Assert.True(health.IsTerminal);
        }

        [Theory]
        [InlineData("Failed", "BackoffLimitExceeded")]
        [InlineData("Failed", "DeadlineExceeded")]
        [InlineData("FailureTarget", "PodFailurePolicy")]
        public void Should_Be_Failed_With_The_Condition_Reason(string type, string reason)
        {
            // Given
            var job = Job(new JsonObject { ["failed"] = 3, ["conditions"] = new JsonArray(Condition(type, "True", reason, "gave up")) });

            // When
            var health = WorkloadHealth.ForJob(job);

            // Then
            Assert.Equal(new WorkloadHealth(WorkloadState.Failed, reason, "gave up"), health);
        }

        [Fact]
        public void Should_Be_Running_While_Pods_Are_Active()
        {
            // Given
            var job = Job(new JsonObject { ["active"] = 1, ["failed"] = 1 });

            // When
            var health = WorkloadHealth.ForJob(job);

            // Then
            Assert.Equal(new WorkloadHealth(WorkloadState.Running, "PodsActive", "1 active, 0 succeeded, 1 failed"), health);
        }

        [Fact]
        public void Should_Be_Progressing_Before_Any_Pod_Runs_Or_When_Suspended()
        {
            // Given
            var pending = Job(null);
            var suspended = Job(new JsonObject(), suspend: true);

            // When
            var pendingHealth = WorkloadHealth.ForJob(pending);
            var suspendedHealth = WorkloadHealth.ForJob(suspended);

            // Then
            Assert.Equal((WorkloadState.Progressing, "Pending"), (pendingHealth.State, pendingHealth.Reason));
            Assert.Equal((WorkloadState.Progressing, "Suspended"), (suspendedHealth.State, suspendedHealth.Reason));
        }

        [Fact]
        public void Should_Ignore_A_Failed_Condition_That_Is_False()
        {
            // Given
            var job = Job(new JsonObject { ["active"] = 1, ["conditions"] = new JsonArray(Condition("Failed", "False")) });

            // When
            var health = WorkloadHealth.ForJob(job);

            // Then
            Assert.Equal(WorkloadState.Running, health.State);
        }
    }

    public sealed class TheForDeploymentMethod
    {
        [Fact]
        public void Should_Be_Available_When_Every_Replica_Is_Updated_And_Available()
        {
            // Given
            var d = Deployment(3, 2, new JsonObject
            {
                ["observedGeneration"] = 2,
                ["replicas"] = 3,
                ["updatedReplicas"] = 3,
                ["availableReplicas"] = 3,
                ["conditions"] = new JsonArray(Condition("Available", "True", "MinimumReplicasAvailable"), Condition("Progressing", "True", "NewReplicaSetAvailable")),
            });

            // When
            var health = WorkloadHealth.ForDeployment(d);

            // Then
            Assert.Equal(WorkloadState.Available, health.State);
        }

        [Fact]
        public void Should_Be_Progressing_Until_The_Controller_Observes_The_New_Generation()
        {
            // Given
            var d = Deployment(3, 3, new JsonObject { ["observedGeneration"] = 2, ["replicas"] = 3, ["updatedReplicas"] = 3, ["availableReplicas"] = 3 });

            // When
            var health = WorkloadHealth.ForDeployment(d);

            // Then
            Assert.Equal((WorkloadState.Progressing, "ObservedGenerationBehind"), (health.State, health.Reason));
        }

        [Theory]
        [InlineData(1, 3, 1, "RollingUpdate")]
        [InlineData(3, 4, 3, "OldReplicasTerminating")]
        [InlineData(3, 3, 2, "WaitingForAvailability")]
        public void Should_Be_Progressing_During_A_Rollout(int updated, int total, int available, string reason)
        {
            // Given
            var d = Deployment(3, 1, new JsonObject { ["observedGeneration"] = 1, ["replicas"] = total, ["updatedReplicas"] = updated, ["availableReplicas"] = available });

            // When
            var health = WorkloadHealth.ForDeployment(d);

            // Then
            Assert.Equal((WorkloadState.Progressing, reason), (health.State, health.Reason));
        }

        [Fact]
        public void Should_Be_Degraded_When_The_Progress_Deadline_Is_Exceeded()
        {
            // Given
            var d = Deployment(3, 1, new JsonObject
            {
                ["observedGeneration"] = 1,
                ["replicas"] = 3,
                ["updatedReplicas"] = 1,
                ["availableReplicas"] = 2,
                ["conditions"] = new JsonArray(Condition("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"web-1\" has timed out progressing.")),
            });

            // When
            var health = WorkloadHealth.ForDeployment(d);

            // Then
            Assert.Equal(new WorkloadHealth(WorkloadState.Degraded, "ProgressDeadlineExceeded", "ReplicaSet \"web-1\" has timed out progressing."), health);
        }

        [Fact]
        public void Should_Return_Null_For_Kinds_Without_Workload_Health()
        {
            // Given
            var cm = new JsonObject { ["kind"] = "ConfigMap" };

            // When / Then
            Assert.Null(WorkloadHealth.From(cm));
        }
    }
}
