namespace GitOps.Reconciler.Git;

/// <summary>
/// Where the Git credentials come from: environment variables or mounted files (a Kubernetes Secret volume),
/// never the configuration itself, so that configuration can be printed and logged safely. A token is sent as the
/// password (GitHub, GitLab and Azure DevOps all accept that), with user <see cref="DefaultTokenUser"/>.
/// </summary>
public sealed record GitCredentials
{
    public const string DefaultTokenUser = "x-access-token";

    /// <summary>A user name given in plain configuration (not a secret).</summary>
    public string? Username { get; init; }

    public string? UsernameEnvironmentVariable { get; init; }

    public string? UsernameFile { get; init; }

    /// <summary>Variable holding the password or token.</summary>
    public string? PasswordEnvironmentVariable { get; init; }

    /// <summary>File holding the password or token (trailing newline ignored).</summary>
    public string? PasswordFile { get; init; }

    /// <summary>Reads the secret now (so a rotated Secret is picked up on the next fetch). Null when no secret is
    /// configured; throws <see cref="InvalidOperationException"/> naming the source (not the value) when one is
    /// configured but empty or missing.</summary>
    public (string Username, string Password)? Resolve()
    {
        if (PasswordEnvironmentVariable is null && PasswordFile is null)
        {
            return null;
        }
        var password = PasswordEnvironmentVariable is { } variable
            ? Environment.GetEnvironmentVariable(variable)
              ?? throw new InvalidOperationException($"the Git password/token variable {variable} is not set")
            : ReadFile(PasswordFile!, "password/token");
        if (password.Length == 0)
        {
            throw new InvalidOperationException($"the Git password/token from {PasswordEnvironmentVariable ?? PasswordFile} is empty");
        }
        var user = UsernameEnvironmentVariable is { } userVariable ? Environment.GetEnvironmentVariable(userVariable)
            : UsernameFile is { } userFile ? ReadFile(userFile, "user name")
            : Username;
        return (string.IsNullOrEmpty(user) ? DefaultTokenUser : user, password);
    }

    private static string ReadFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"the Git {what} file {path} does not exist");
        }
        return File.ReadAllText(path).TrimEnd('\r', '\n');
    }
}
