using GitOps.Planning.Cluster;

namespace GitOps.Cli.Conventions;

/// <summary>The <c>kubectl get</c> command that writes a live-state file for <c>--live</c>: every managed kind, every namespace.</summary>
public static class LiveStateHint
{
    public static string KubectlGet =>
        $"kubectl get {string.Join(',', ManagedKinds.All.Select(k => k.Group.Length == 0 ? k.Plural : $"{k.Plural}.{k.Group}"))} " +
        $"--all-namespaces -l {ManagedLabels.ManagedBy}={ManagedLabels.ManagedByValue} -o yaml";
}
