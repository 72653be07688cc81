namespace GitOps.Planning.Rendering;

/// <summary>Stable ids of the findings rendering and planning report (listed in <c>docs/planning.md</c>).</summary>
public static class PlanningDiagnostics
{
    public const string UnknownEnvironment = "GITOPS0601";
    public const string UnknownGpuPool = "GITOPS0602";
    public const string GpusWithoutPool = "GITOPS0603";
    public const string InvalidTimeout = "GITOPS0604";
    public const string InvalidQuantity = "GITOPS0605";
    public const string NameCollision = "GITOPS0606";
    public const string InvalidLiveState = "GITOPS0610";
    public const string PodSecurityViolation = "GITOPS0620";
}
