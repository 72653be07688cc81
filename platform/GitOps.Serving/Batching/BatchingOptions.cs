namespace GitOps.Serving.Batching;

/// <summary>
/// Dynamic batching: concurrent requests are merged until <see cref="MaxBatchSize"/> rows or
/// <see cref="MaxDelay"/> since the first waiting request. A max batch size of 1 turns batching off.
/// A delay of 0 batches greedily: a batch takes whatever queued up while the model was busy, and
/// never waits when it is idle.
/// </summary>
public sealed record BatchingOptions
{
    public int MaxBatchSize { get; init; } = 64;
    public TimeSpan MaxDelay { get; init; } = TimeSpan.Zero;
    /// <summary>Batches that may run at the same time (each on its own thread).</summary>
    public int MaxConcurrentBatches { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public bool Enabled => MaxBatchSize > 1;
}
