namespace GitOps.Registry.Stores;

/// <summary>The artifact store could not be used: unreachable, credentials refused, or an unexpected reply.
/// The message says which store and what to do; callers treat it as transient (the work waits).</summary>
public sealed class ArtifactStoreException(string message, Exception? inner = null) : Exception(message, inner);
