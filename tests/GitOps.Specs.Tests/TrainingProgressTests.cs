using GitOps.Specs.Contracts;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class TrainingProgressTests
{
    public sealed class TheParseMethod
    {
        [Fact]
        public void Should_Read_Back_The_Line_A_Step_Writes()
        {
            // Given
            var step = new TrainingProgress(3, 7, "fitting fastTree on 3200 rows");

            // When
            var read = TrainingProgress.Parse(step.ToLogLine());

            // Then
            Assert.Equal(step, read);
            Assert.Equal("progress: 3/7 fitting fastTree on 3200 rows", step.ToLogLine());
        }

        [Theory]
        [InlineData("Trained fastTree in 1.2 s")]
        [InlineData("progress: three/7 fitting")]
        [InlineData("progress: 8/7 fitting")]
        [InlineData("progress: 0/7 fitting")]
        [InlineData("progress: 3/7")]
        [InlineData("  progress: 3/7 fitting")]
        public void Should_Ignore_A_Line_That_Is_Not_A_Step_When_It_Is_Malformed_Or_Other_Output(string line)
        {
            // When
            var read = TrainingProgress.Parse(line);

            // Then
            Assert.Null(read);
        }
    }

    public sealed class TheOffsetMethod
    {
        [Fact]
        public void Should_Number_A_Nested_Runs_Steps_In_The_Outer_Run_When_Steps_Come_Before_It()
        {
            // Given
            var seen = new List<TrainingProgress>();
            var outer = new TrainingProgress.Relay(seen.Add);

            // When
            TrainingProgress.Offset(outer, before: 1, total: 7)!.Report(new TrainingProgress(2, 5, "fitting"));

            // Then
            Assert.Equal([new TrainingProgress(3, 7, "fitting")], seen);
        }
    }
}
