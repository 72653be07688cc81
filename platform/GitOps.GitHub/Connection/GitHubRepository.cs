namespace GitOps.GitHub.Connection;

/// <summary>A repository on GitHub or GitHub Enterprise Server, as <c>GITHUB_REPOSITORY</c> names it (<c>owner/name</c>).</summary>
public sealed record GitHubRepository(string Owner, string Name)
{
    /// <summary>Parses <c>owner/name</c>; null when the text has another shape.</summary>
    public static GitHubRepository? TryParse(string? text)
    {
        var parts = (text ?? "").Trim().Split('/');
        return parts is [{ Length: > 0 } owner, { Length: > 0 } name] ? new GitHubRepository(owner, name) : null;
    }

    public override string ToString() => $"{Owner}/{Name}";
}
