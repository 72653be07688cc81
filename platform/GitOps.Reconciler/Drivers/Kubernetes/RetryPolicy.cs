namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// How API requests are retried: transient answers (429, 500, 502, 503, 504), timeouts and connection failures
/// are retried with exponential backoff, bounded by <see cref="MaxAttempts"/> and <see cref="MaxDelay"/>.
/// Anything else (404, 409, 422...) is an answer, not a fault, and is returned at once.
/// </summary>
public sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    public double Multiplier { get; init; } = 2.0;

    /// <summary>Per attempt; a request still unanswered after this is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static RetryPolicy Default { get; } = new();

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ticks = InitialDelay.Ticks * Math.Pow(Multiplier, retry - 1);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The wait before a retry when the server said how long to wait (<c>Retry-After</c>), never beyond <see cref="MaxDelay"/>.</summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter) =>
        retryAfter is { } hint && hint > TimeSpan.Zero ? (hint > MaxDelay ? MaxDelay : hint) : DelayBefore(retry);

    public static bool IsTransient(int statusCode) => statusCode is 429 or 500 or 502 or 503 or 504;
}
