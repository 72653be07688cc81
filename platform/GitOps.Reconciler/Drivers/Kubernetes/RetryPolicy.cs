using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// How API requests are retried: transient answers (429, 500, 502, 503, 504), timeouts and connection failures
/// are retried after the waits of <see cref="Backoff"/> (the product's one backoff), bounded by
/// <see cref="MaxAttempts"/>. Anything else (404, 409, 422...) is an answer, not a fault, and is returned at once.
/// </summary>
public sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Waits between attempts: 200 ms, doubling, at most 10 s.</summary>
    public Backoff Backoff { get; init; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

    /// <summary>Per attempt; a request still unanswered after this is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static RetryPolicy Default { get; } = new();

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        return Backoff.After(retry);
    }

    /// <summary>The wait before a retry when the server said how long to wait (<c>Retry-After</c>), never beyond
    /// the backoff's cap.</summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter) =>
        retryAfter is { } hint && hint > TimeSpan.Zero ? (hint > Backoff.Max ? Backoff.Max : hint) : DelayBefore(retry);

    public static bool IsTransient(int statusCode) => statusCode is 429 or 500 or 502 or 503 or 504;
}
