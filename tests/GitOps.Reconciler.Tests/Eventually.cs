namespace GitOps.Reconciler.Tests;

/// <summary>Polls a condition until it holds or a generous deadline passes (never asserts on timing).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("the condition did not become true before the deadline");
            }
            await Task.Delay(10);
        }
    }
}
