using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Specs.Contracts;

namespace GitOps.Reconciler.Tests.Drivers.Local;

/// <summary>A running training Job's newest step, read from its log and shown in the status table.</summary>
public sealed class TrainingProgressViewTests
{
    public sealed class TheLastProgressMethod : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-training-progress-").FullName;

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Fact]
        public void Should_Return_The_Newest_Step_When_Other_Output_Follows_It_In_A_Long_Log()
        {
            // Given a log longer than the tail that is read, with other output after the newest step
            var log = Path.Combine(_root, "attempt-1.log");
            var lines = Enumerable.Range(0, 2000).Select(i => $"info: line {i} of the trainer's own output")
                .Append("progress: 1/7 fetching the dataset")
                .Append("progress: 2/7 reading the dataset")
                .Append("warning: column amount has 3 empty cells");
            File.WriteAllLines(log, lines);

            // When
            var step = TrainingJobs.LastProgress(log);

            // Then
            Assert.Equal(new TrainingProgress(2, 7, "reading the dataset"), step);
        }

        [Fact]
        public void Should_Return_Null_When_The_Log_Has_No_Step_Or_Does_Not_Exist()
        {
            // Given
            var log = Path.Combine(_root, "attempt-2.log");
            File.WriteAllText(log, "starting\n");

            // When / Then
            Assert.Null(TrainingJobs.LastProgress(log));
            Assert.Null(TrainingJobs.LastProgress(Path.Combine(_root, "missing.log")));
        }
    }

    public sealed class TheStatusView
    {
        [Fact]
        public void Should_Show_The_Step_Of_A_Running_Job_When_Its_Status_Has_One()
        {
            // Given a running training Job whose newest step the Job controller recorded
            var job = JsonNode.Parse("""
                {"apiVersion":"batch/v1","kind":"Job",
                 "metadata":{"name":"train-fraud-abc","namespace":"ml-local",
                   "labels":{"ml.gitops/environment":"local","ml.gitops/model":"fraud","ml.gitops/version":"abc"}},
                 "status":{"active":1,"failed":0,"succeeded":0,"startTime":"2026-11-30T10:00:00Z","progress":"3/7 fitting fastTree on 3200 rows"}}
                """)!.AsObject();

            // When
            var view = LocalStatusViews.Build("local", [job], status: null, proxy: null, prometheus: null, prometheusProblem: null, running: true);

            // Then
            Assert.Equal("training 3/7 fitting fastTree on 3200 rows (attempt 1 since 10:00:00)", Assert.Single(view.Models).Training);
        }
    }
}
