namespace GitOps.Cli.Output;

/// <summary>
/// Gives back, at once, the memory of a phase whose data just became garbage: an environment's plan once it is
/// written. Left to itself, the collector of a short-lived process lets those tens of megabytes age into the oldest
/// generation beside the next phase's data and collects them late, so the peak holds two phases at once (docs/benchmarks.md, "A collection between phases"). A collection here costs a few
/// tens of milliseconds and is only worth it after a phase that held that much: callers pass how big the phase was.
/// </summary>
internal static class PhaseMemory
{
    /// <summary>Below this many models (or spec files) a phase's memory is too small to be worth managing.</summary>
    public const int Worthwhile = 500;

    /// <summary>A full, compacting collection when the phase covered at least <see cref="Worthwhile"/> models.</summary>
    public static void Release(int models)
    {
        if (models >= Worthwhile)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }
}
