using System.Collections.Immutable;

namespace GitOps.Registry.Publishing;

/// <summary>
/// <c>MODEL/VERSION/publish.json</c>: the create-only commit point of a version's files. It names the attempt whose
/// staged copies (<c>attempts/ATTEMPT/FILE</c>) are the version, and each file's sha256. Before it exists a version
/// is not published (an attempt's staged files are leftovers nobody reads); once it exists the version's content
/// is decided, and whoever comes next completes the canonical files from the named attempt.
/// </summary>
public sealed record PublicationManifest(string Schema, string Attempt, ImmutableArray<PublishedFile> Files)
{
    public const string CurrentSchema = "ml.gitops/publication/v1";
}

/// <summary>One file of a published version, relative to the version folder.</summary>
public sealed record PublishedFile(string Path, string Sha256, long Bytes);
