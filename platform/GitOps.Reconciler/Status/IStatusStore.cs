namespace GitOps.Reconciler.Status;

/// <summary>
/// Where the reconciler keeps <see cref="EnvironmentStatus"/> between passes and restarts. In a cluster it is a
/// ConfigMap per environment, so whichever replica leads next resumes where the last one stopped.
/// </summary>
public interface IStatusStore
{
    /// <summary>The stored status of <paramref name="environment"/>, or null when it was never reconciled.</summary>
    Task<EnvironmentStatus?> ReadAsync(string environment, CancellationToken ct);

    /// <summary>Replaces the stored status of <see cref="EnvironmentStatus.Environment"/>.</summary>
    Task WriteAsync(EnvironmentStatus status, CancellationToken ct);
}
