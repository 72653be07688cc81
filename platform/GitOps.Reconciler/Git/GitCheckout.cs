using System.Runtime.InteropServices;
using System.Text;

namespace GitOps.Reconciler.Git;

/// <summary>
/// One file of a commit, read from Git's object database (not from the working tree): its content held, or read from
/// Git each time it is asked for (<see cref="GitFile(string, Func{byte[]})"/>), so that a checkout of a large commit
/// holds its files' names and not their bytes.
/// </summary>
public sealed class GitFile
{
    private readonly ReadOnlyMemory<byte> _content;
    private readonly Func<byte[]>? _read;

    public GitFile(string path, ReadOnlyMemory<byte> content)
    {
        Path = path;
        _content = content;
    }

    /// <summary>A file whose content <paramref name="read"/> reads when it is asked for; it is not kept.</summary>
    public GitFile(string path, Func<byte[]> read)
    {
        Path = path;
        _read = read;
    }

    public string Path { get; }

    /// <inheritdoc cref="GitOps.Specs.SourceFile.Unreadable"/>
    public string? Unreadable { get; init; }

    /// <summary>Whether the content is read when asked for rather than held.</summary>
    public bool IsDeferred => _read is not null;

    public ReadOnlyMemory<byte> Content => _read is { } read ? read() : _content;

    public string Text => Encoding.UTF8.GetString(Content.Span);

    /// <summary>The content as an array: the one read from Git when it holds exactly the content (no copy: neither
    /// side ever writes to it), else a copy. A large commit's files are then held once, not once more per load.</summary>
    public byte[] Bytes =>
        _read is { } read ? read()
        : MemoryMarshal.TryGetArray(_content, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : _content.ToArray();

    /// <summary>The file as the spec loader reads it: its content read when the loader gets to it if it is not held.</summary>
    public GitOps.Specs.SourceFile ToSourceFile() =>
        (_read is null ? new GitOps.Specs.SourceFile(Path, Bytes) : GitOps.Specs.SourceFile.Later(Path, _read)) with { Unreadable = Unreadable };
}

/// <summary>
/// A commit of the configured branch: its id and the spec files of its tree (<see cref="GitOps.Specs.RepositoryFiles"/>,
/// sorted by path). <see cref="GitSource"/> writes no working tree: it reads each file from Git's object database when
/// the file is loaded.
/// </summary>
public sealed record GitCheckout(
    string Revision,
    string Branch,
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
