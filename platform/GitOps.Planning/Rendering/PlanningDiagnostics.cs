namespace GitOps.Planning.Rendering;

/// <summary>Stable ids of the findings rendering and planning report (listed in <c>docs/planning.md</c>).</summary>
public static class PlanningDiagnostics
{
    public const string UnknownEnvironment = "GITOPS0501";
    public const string UnknownGpuPool = "GITOPS0502";
    public const string GpusWithoutPool = "GITOPS0503";
    public const string InvalidTimeout = "GITOPS0504";
    public const string InvalidQuantity = "GITOPS0505";
    public const string NameCollision = "GITOPS0506";
    public const string InvalidLiveState = "GITOPS0510";
}
