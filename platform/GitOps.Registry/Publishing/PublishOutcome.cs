namespace GitOps.Registry.Publishing;

/// <summary>How a version came to be complete in the store.</summary>
public enum PublishKind
{
    /// <summary>This publish committed the version.</summary>
    Published,

    /// <summary>The version was already committed with the same bytes (a retried Job re-publishing its output).</summary>
    AlreadyPublished,

    /// <summary>Another attempt committed the version first (two Jobs of the same version racing); its files are the version.</summary>
    PublishedByAnother,
}

/// <summary>
/// The result of publishing or looking up a version: the manifest of the complete version, or why the version
/// cannot be completed without overwriting something (<see cref="Conflict"/>, never retried by itself).
/// </summary>
public sealed record PublishOutcome(PublishKind Kind, PublicationManifest? Manifest, IReadOnlyList<string> Written, string? Conflict)
{
    public bool Succeeded => Conflict is null;

    public static PublishOutcome Complete(PublishKind kind, PublicationManifest manifest, IReadOnlyList<string> written) => new(kind, manifest, written, null);

    public static PublishOutcome Refused(string conflict) => new(PublishKind.Published, null, [], conflict);
}
