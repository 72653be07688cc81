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

    /// <summary>Creates a file from UTF-8 text (tests, generators).</summary>
    public static SourceFile FromText(string path, string text) => new(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A place where a spec could be and nothing could be read (<see cref="Unreadable"/>).</summary>
    public static SourceFile NotRead(string path, string why) => new(path, []) { Unreadable = why };
}
