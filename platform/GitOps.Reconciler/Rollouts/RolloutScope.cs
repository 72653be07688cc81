namespace GitOps.Reconciler.Rollouts;

/// <summary>The environment whose rollouts are read or written, and its namespace (where the ConfigMaps live in a cluster).</summary>
public sealed record RolloutScope(string Environment, string Namespace);
