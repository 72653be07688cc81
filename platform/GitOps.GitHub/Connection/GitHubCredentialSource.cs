using System.Globalization;

namespace GitOps.GitHub.Connection;

/// <summary>Where the command line found GitHub credentials: flags first, then the environment.</summary>
public sealed record GitHubCredentialOptions
{
    /// <summary>A file holding a token (a mounted secret); else <see cref="TokenVariable"/>.</summary>
    public string? TokenFile { get; init; }
    public string? AppId { get; init; }
    public string? InstallationId { get; init; }

    /// <summary>The GitHub App's private key (PEM) file.</summary>
    public string? AppKeyFile { get; init; }
}

/// <summary>
/// Turns flags and environment variables into <see cref="GitHubAuth"/>: a GitHub App when an app id is given
/// (<c>--app-id</c> or <c>GITOPS_GITHUB_APP_ID</c>, with the installation id and key file), else a token from
/// <c>--token-file</c> or <c>GITHUB_TOKEN</c>. Errors say which setting is missing or unreadable, never the secret.
/// </summary>
public static class GitHubCredentialSource
{
    public const string TokenVariable = "GITHUB_TOKEN";
    public const string AppIdVariable = "GITOPS_GITHUB_APP_ID";
    public const string InstallationIdVariable = "GITOPS_GITHUB_INSTALLATION_ID";
    public const string AppKeyFileVariable = "GITOPS_GITHUB_APP_KEY_FILE";

    /// <summary>The credentials, or null when none are configured (GitHub reporting is then off).</summary>
    public static GitHubAuth? Resolve(GitHubCredentialOptions options, Func<string, string?> environment)
    {
        // Flags win over the environment, so a command line can override what a workflow exports.
        if (options.AppId is { Length: > 0 })
        {
            return App(options.AppId, options, environment);
        }
        if (options.TokenFile is { Length: > 0 } tokenFile)
        {
            var token = Read(tokenFile, "GitHub token").Trim();
            return token.Length == 0 ? throw new FormatException($"the GitHub token file '{tokenFile}' is empty.") : new GitHubAuth.Token(token);
        }
        if (environment(AppIdVariable) is { Length: > 0 } appId)
        {
            return App(appId, options, environment);
        }
        return environment(TokenVariable) is { Length: > 0 } fromEnvironment ? new GitHubAuth.Token(fromEnvironment.Trim()) : null;
    }

    private static GitHubAuth.App App(string appId, GitHubCredentialOptions options, Func<string, string?> environment)
    {
        if (!long.TryParse(appId.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var app))
        {
            throw new FormatException($"the GitHub App id '{appId}' is not a number (--app-id or {AppIdVariable}); it is shown on the app's settings page.");
        }
        var installationText = Value(options.InstallationId, environment(InstallationIdVariable))
            ?? throw new FormatException($"a GitHub App also needs its installation id (--installation-id or {InstallationIdVariable}): the number at the end of the installation's settings URL.");
        if (!long.TryParse(installationText, NumberStyles.None, CultureInfo.InvariantCulture, out var installation))
        {
            throw new FormatException($"the installation id '{installationText}' is not a number (--installation-id or {InstallationIdVariable}).");
        }
        var keyFile = Value(options.AppKeyFile, environment(AppKeyFileVariable))
            ?? throw new FormatException($"a GitHub App also needs its private key file (--app-key-file or {AppKeyFileVariable}).");
        return new GitHubAuth.App(app, installation, Read(keyFile, "GitHub App private key"));
    }

    private static string? Value(string? flag, string? variable) =>
        flag is { Length: > 0 } ? flag.Trim() : variable is { Length: > 0 } ? variable.Trim() : null;

    private static string Read(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"cannot read the {what} file '{path}': {e.Message}");
        }
    }
}
