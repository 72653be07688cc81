namespace GitOps.Serving.Caching;

/// <summary>How a lookup went, the <c>result</c> label of the cache counter.</summary>
public enum CacheResult
{
    Hit,
    Miss,
    /// <summary>The store could not answer in time (Redis down or slow): the request was computed.</summary>
    Error,
}
