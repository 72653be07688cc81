namespace GitOps.Specs;

/// <summary>One file of the repository: its repo-relative <see cref="Path"/> (with <c>/</c>) and raw bytes.</summary>
public sealed record SourceFile(string Path, byte[] Content)
{
    /// <summary>
    /// Why nothing could be read at <see cref="Path"/> although the repository puts something there a spec could be
    /// (a symbolic link out of the repository, to nothing, or round in a loop); the loader reports it at the path
    /// (GITOPS0020) and reads nothing from it. Null for a file that was read.
    /// </summary>
    public string? Unreadable { get; init; }

    /// <summary>
    /// Where the content comes from when it is not held: read by <see cref="Loaded"/> when the loader gets to the file,
    /// so that a list of a large commit's files holds their names, not their bytes (<see cref="Content"/> is then
    /// empty). Null for a file whose <see cref="Content"/> is the content.
    /// </summary>
    public Func<byte[]>? Deferred { get; init; }

    /// <summary>A file whose content is read when it is loaded (<see cref="Deferred"/>).</summary>
    public static SourceFile Later(string path, Func<byte[]> read) => new(path, []) { Deferred = read };

    /// <summary>This file with its content read, if it was <see cref="Deferred"/>; else this file.</summary>
    public SourceFile Loaded() => Deferred is { } read && Unreadable is null ? new SourceFile(Path, read()) : this;

    /// <summary>Creates a file from UTF-8 text (tests, generators).</summary>
    public static SourceFile FromText(string path, string text) => new(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A place where a spec could be and nothing could be read (<see cref="Unreadable"/>).</summary>
    public static SourceFile NotRead(string path, string why) => new(path, []) { Unreadable = why };
}
