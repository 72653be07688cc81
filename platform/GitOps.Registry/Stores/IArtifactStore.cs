namespace GitOps.Registry.Stores;

/// <summary>
/// An environment's artifact store seen as a key → bytes map where nothing is ever overwritten: a key is created
/// once (<see cref="CreateAsync"/>), then only read. Keys are relative paths (<c>registry/fraud/9a75b5701b77.json</c>).
/// Faults (store unreachable, credentials refused) are thrown as <see cref="ArtifactStoreException"/>; an absent
/// key is not a fault.
/// </summary>
public interface IArtifactStore
{
    /// <summary>The store's root URI, for messages.</summary>
    string Root { get; }

    /// <summary>Where <paramref name="key"/> lives (a path or URL), for messages.</summary>
    string Describe(string key);

    /// <summary>Opens <paramref name="key"/> for reading, or returns null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>True when <paramref name="key"/> exists.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>
    /// Writes <paramref name="content"/> under <paramref name="key"/> only if nothing is there yet. Of two writers
    /// racing for the same key exactly one gets <see cref="CreateResult.Created"/>; a reader never sees half a
    /// file.
    /// </summary>
    Task<CreateResult> CreateAsync(string key, Stream content, string contentType, CancellationToken ct);

}

/// <summary>What a create-only write did.</summary>
public enum CreateResult
{
    /// <summary>The key did not exist and now holds the content.</summary>
    Created,

    /// <summary>The key already existed; its content was left untouched.</summary>
    AlreadyExists,
}
