namespace GitOps.Serving.Faults;

/// <summary>
/// Decides, request by request, which faults to inject. Errors are spread evenly rather than drawn at random: with a
/// fraction of 0.2, exactly one request in every five fails, so an error-rate query over any window reads the
/// fraction, and a test of the analysis cannot pass or fail by luck.
/// </summary>
public sealed class FaultInjector(FaultInjectionOptions options)
{
    private long _requests;

    public FaultInjectionOptions Options { get; } = options;

    /// <summary>Counts one infer request and says whether it is answered with an injected error.</summary>
    public bool NextFails()
    {
        if (Options.ErrorFraction <= 0)
        {
            return false;
        }
        var n = Interlocked.Increment(ref _requests);
        // Request n fails when it carries the running total of fraction × requests past a whole number.
        return Math.Floor(n * Options.ErrorFraction) > Math.Floor((n - 1) * Options.ErrorFraction);
    }
}
