namespace GitOps.Reconciler.Loop;

/// <summary>
/// How long to wait before retrying after <c>n</c> failures in a row: exponential from <see cref="Initial"/>,
/// capped at <see cref="Max"/>. Deterministic (no jitter) so status and tests can say exactly when the next try is.
/// </summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Max)
{
    public static readonly Backoff Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 → <see cref="Initial"/>).</summary>
    public TimeSpan After(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Initial.Ticks * Math.Pow(2, exponent);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
