namespace GitOps.GitHub.Connection;

/// <summary>How GitOps ML authenticates to GitHub.</summary>
public abstract record GitHubAuth
{
    private GitHubAuth()
    {
    }

    /// <summary>A personal access token or the workflow's <c>GITHUB_TOKEN</c>.</summary>
    public sealed record Token(string Value) : GitHubAuth
    {
        // Records print their members: keep the secret out of logs and exception messages.
        public override string ToString() => "token (hidden)";
    }

    /// <summary>A GitHub App: a JWT signed with the app's private key is exchanged for installation tokens.</summary>
    public sealed record App(long AppId, long InstallationId, string PrivateKeyPem) : GitHubAuth
    {
        public override string ToString() => $"GitHub App {AppId}, installation {InstallationId}";
    }
}
