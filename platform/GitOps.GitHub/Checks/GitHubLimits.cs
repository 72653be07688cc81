namespace GitOps.GitHub.Checks;

/// <summary>Size limits of the GitHub API, and the one way GitOps ML cuts text that would exceed them.</summary>
public static class GitHubLimits
{
    /// <summary>Characters of a check run's <c>output.summary</c> (and <c>output.text</c>).</summary>
    public const int CheckRunSummary = 65_535;

    /// <summary>Characters of an issue or pull-request comment body.</summary>
    public const int CommentBody = 65_536;

    /// <summary>Annotations accepted in one create or update request of a check run.</summary>
    public const int AnnotationsPerRequest = 50;

    /// <summary>Characters of a commit status or deployment status description.</summary>
    public const int StatusDescription = 140;

    /// <summary>
    /// <paramref name="text"/> when it fits in <paramref name="max"/> characters; otherwise its first lines and an
    /// explicit truncation note, the whole within the limit.
    /// </summary>
    public static string Fit(string text, int max, string what = "this text")
    {
        if (text.Length <= max)
        {
            return text;
        }
        var note = $"\n\n> **Truncated:** {what} was cut to stay under GitHub's limit of {max:N0} characters. Run `gitops plan --all` or `gitops validate` locally for everything.\n";
        var keep = text[..(max - note.Length)];
        var lastLine = keep.LastIndexOf('\n');
        return (lastLine > 0 ? keep[..lastLine] : keep) + note;
    }

    /// <summary>A one-line description cut to <see cref="StatusDescription"/> characters with an ellipsis.</summary>
    public static string Description(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= StatusDescription ? line : line[..(StatusDescription - 1)] + "…";
    }
}
