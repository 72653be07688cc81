namespace GitOps.Planning.Rendering;

/// <summary>
/// Paths rendered workloads name inside their containers. The Local driver maps each of them to a place on this
/// machine when it runs a pod as processes, so they are named once, here.
/// </summary>
public static class ContainerPaths
{
    /// <summary>The <c>gitops</c> executable in the server and trainer images; containers name it as their command
    /// so that they do not depend on the image's ENTRYPOINT.</summary>
    public const string GitOpsExecutable = "/app/gitops";

    /// <summary>The artifact store of an environment that names none (a volume mounted in every pod).</summary>
    public const string DefaultArtifactStore = "file:///var/lib/gitops/artifacts";
}
