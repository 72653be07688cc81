using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// How API requests are retried: transient answers (429, 500, 502, 503, 504), timeouts and connection failures
/// are retried after the waits of <see cref="Backoff"/> (the product's one backoff), bounded by
/// <see cref="MaxAttempts"/>. Anything else (404, 409, 422...) is an answer, not a fault, and is returned at once.
/// Throttling (<see cref="IsThrottled"/>: the API server's priority and fairness or max-in-flight limits) is not a
/// fault: the request waits as long as the server's <c>Retry-After</c> says and is sent again, for up to
/// <see cref="ThrottleBudget"/>, without using up its attempts.
/// </summary>
public sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Waits between attempts: 200 ms, doubling, at most 10 s.</summary>
    public Backoff Backoff { get; init; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

    /// <summary>Per attempt; a request still unanswered after this is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one request may keep being throttled before the throttled answer is returned as its result.</summary>
    public TimeSpan ThrottleBudget { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest single wait a <c>Retry-After</c> can ask of a throttled request.</summary>
    public TimeSpan MaxThrottleWait { get; init; } = TimeSpan.FromMinutes(1);

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

    /// <summary>The wait before sending a throttled request again: the server's <c>Retry-After</c> (at most
    /// <see cref="MaxThrottleWait"/>), else the backoff after <paramref name="throttles"/> throttled answers in a row.</summary>
    public TimeSpan ThrottleDelay(int throttles, TimeSpan? retryAfter) =>
        retryAfter is { } hint && hint > TimeSpan.Zero ? (hint > MaxThrottleWait ? MaxThrottleWait : hint) : DelayBefore(Math.Max(throttles, 1));

    public static bool IsTransient(int statusCode) => statusCode is 429 or 500 or 502 or 503 or 504;

    /// <summary>The server asks the client to slow down: 429, or any answer whose Status reason is
    /// <c>TooManyRequests</c> (some servers and proxies send it with 503).</summary>
    public static bool IsThrottled(int statusCode, string? reason) => statusCode == 429 || reason == "TooManyRequests";
}
