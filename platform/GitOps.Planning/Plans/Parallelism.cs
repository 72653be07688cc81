namespace GitOps.Planning.Plans;

/// <summary>Work over many objects runs on every core; small inputs stay on the calling thread.</summary>
internal static class Parallelism
{
    private static readonly ParallelOptions Sequential = new() { MaxDegreeOfParallelism = 1 };

    private static readonly ParallelOptions AllCores = new();

    public static ParallelOptions For(int items) => items < 64 ? Sequential : AllCores;
}
