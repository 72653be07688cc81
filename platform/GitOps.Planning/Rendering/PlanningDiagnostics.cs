namespace GitOps.Planning.Rendering;

/// <summary>
/// Stable ids of the findings rendering and planning report (listed in <c>docs/planning.md</c>). GITOPS0602–0605
/// are retired: validation reports GPU pools, timeouts and quantities (GITOPS0203, GITOPS0205, GITOPS0206) and
/// rendering trusts validated specs.
/// </summary>
public static class PlanningDiagnostics
{
    public const string UnknownEnvironment = "GITOPS0601";
    public const string NameCollision = "GITOPS0606";
    public const string InvalidLiveState = "GITOPS0610";
    public const string PodSecurityViolation = "GITOPS0620";
    public const string PromotionNotReady = "GITOPS0630";
}
