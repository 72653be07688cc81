using System.Runtime.InteropServices;
using System.Text;

namespace GitOps.Reconciler.Git;

/// <summary>One file of a commit, read from Git's object database (not from the working tree).</summary>
public sealed record GitFile(string Path, ReadOnlyMemory<byte> Content)
{
    /// <inheritdoc cref="GitOps.Specs.SourceFile.Unreadable"/>
    public string? Unreadable { get; init; }

    public string Text => Encoding.UTF8.GetString(Content.Span);

    /// <summary>The content as an array: the one read from Git when it holds exactly the content (no copy: neither
    /// side ever writes to it), else a copy. A large commit's files are then held once, not once more per load.</summary>
    public byte[] Bytes =>
        MemoryMarshal.TryGetArray(Content, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : Content.ToArray();
}

/// <summary>
/// A commit of the configured branch: its id, the spec files of its tree (<see cref="GitOps.Specs.RepositoryFiles"/>,
/// sorted by path), and a working-tree snapshot of the same commit on disk for tools that need paths.
/// </summary>
public sealed record GitCheckout(
    string Revision,
    string Branch,
    string WorktreePath,
    DateTimeOffset CommitTime,
    string Message,
    IReadOnlyList<GitFile> Files);

/// <summary>
/// Result of a fetch. On failure <see cref="Error"/> says what went wrong (secrets redacted) and
/// <see cref="Checkout"/> is the last good commit, if any, so the reconciler keeps converging on it.
/// </summary>
public sealed record GitFetchResult(GitCheckout? Checkout, string? Error)
{
    public bool Succeeded => Error is null;

    public static GitFetchResult Success(GitCheckout checkout) => new(checkout, null);

    public static GitFetchResult Failure(string error, GitCheckout? lastGood) => new(lastGood, error);
}

/// <summary>Port: where the desired state comes from.</summary>
public interface IGitSource
{
    /// <summary>Brings the branch up to date and returns its head commit; never throws for remote or cache
    /// problems (they come back as <see cref="GitFetchResult.Error"/>).</summary>
    Task<GitFetchResult> FetchAsync(CancellationToken ct);
}
