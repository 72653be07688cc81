namespace GitOps.Specs;

/// <summary>One file of the repository: its repo-relative <see cref="Path"/> (with <c>/</c>) and raw bytes.</summary>
public sealed record SourceFile(string Path, byte[] Content)
{
    /// <summary>Creates a file from UTF-8 text (tests, generators).</summary>
    public static SourceFile FromText(string path, string text) => new(path, System.Text.Encoding.UTF8.GetBytes(text));
}
