namespace GitOps.Registry.Records;

/// <summary>What an environment's deploy history says about what it serves.</summary>
public static class DeployHistory
{
    /// <summary>
    /// The event that made the environment's current stable version stable (the last <c>deployed</c> or
    /// <c>promoted</c>: a rollback or an abort returns traffic to the stable version, it does not change it), or
    /// null when the history has never deployed anything.
    /// </summary>
    public static RegistryEvent? Stable(IEnumerable<RegistryEvent> events) =>
        events.LastOrDefault(e => e.Type is RegistryEventTypes.Deployed or RegistryEventTypes.Promoted);
}
