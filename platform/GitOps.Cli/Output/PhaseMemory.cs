namespace GitOps.Cli.Output;

/// <summary>
/// Gives back, at once, the memory of a phase whose data just became garbage: the validated specs' YAML trees once the
/// policies ran, an environment's plan once it is written. Left to itself, the collector of a short-lived process lets
/// those tens of megabytes age into the oldest generation beside the next phase's data and collects them late, so the
/// peak holds two phases at once (docs/benchmarks.md, "A collection between phases"). A collection here costs a few
/// tens of milliseconds and is only worth it after a phase that held that much: callers pass how big the phase was.
/// Validation, the other way round, runs without collections (<see cref="WithoutCollections"/>).
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

    /// <summary>About what validation allocates per spec file, with room to spare (2,000 models: about 80 KiB).</summary>
    private const long BytesPerFile = 160 * 1024;

    /// <summary>
    /// No collection while validation runs, for a repository of at least <see cref="Worthwhile"/> files: its YAML
    /// trees grow until it ends, so collections on the way copy the same trees again and again (a fifth of the native
    /// executable's time at 2,000 models). Should it allocate more than asked for, the runtime collects as usual and
    /// the region ends. The memory is given back when the process ends, or at the next phase boundary.
    /// </summary>
    public static IDisposable WithoutCollections(int files)
    {
        if (files < Worthwhile)
        {
            return NoRegion.Instance;
        }
        try
        {
            return GC.TryStartNoGCRegion(Math.Min(files * BytesPerFile, MaxNoCollectionBytes)) ? new Region() : NoRegion.Instance;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // More than this runtime's collector can promise, or a region already open in this process (commands run
            // side by side in one process; the runtime then ends that one too): validate with collections as usual.
            return NoRegion.Instance;
        }
    }

    private const long MaxNoCollectionBytes = 1L << 30;

    private sealed class Region : IDisposable
    {
        public void Dispose()
        {
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // A collection that had to run anyway (more allocated than asked for) ended the region already.
            }
        }
    }

    private sealed class NoRegion : IDisposable
    {
        public static readonly NoRegion Instance = new();

        public void Dispose()
        {
        }
    }
}
