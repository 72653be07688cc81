using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Tests.Loop;

public sealed class BackoffTests
{
    public sealed class TheAfterMethod
    {
        [Theory]
        [InlineData(1, 5)]
        [InlineData(2, 10)]
        [InlineData(3, 20)]
        [InlineData(6, 160)]
        [InlineData(7, 300)]
        [InlineData(1000, 300)]
        public void Should_Double_From_The_Initial_Wait_Up_To_The_Cap(int failures, int seconds)
        {
            // When
            var wait = Backoff.Default.After(failures);

            // Then
            Assert.Equal(TimeSpan.FromSeconds(seconds), wait);
        }
    }
}
