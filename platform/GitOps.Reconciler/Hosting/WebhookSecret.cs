namespace GitOps.Reconciler.Hosting;

/// <summary>
/// The shared secret of the GitHub webhook. It is read from a file (a mounted Secret) or an environment variable,
/// and never printed: <see cref="ToString"/> is redacted so a log line or exception cannot leak it.
/// </summary>
public sealed class WebhookSecret
{
    /// <summary>Environment variable read when no file is given.</summary>
    public const string EnvironmentVariable = "GITOPS_WEBHOOK_SECRET";

    private WebhookSecret(string value, string source)
    {
        Value = value;
        Source = source;
    }

    /// <summary>The secret itself; pass it only to the signature check.</summary>
    public string Value { get; }

    /// <summary>Where it came from (<c>file PATH</c> or <c>env GITOPS_WEBHOOK_SECRET</c>), safe to log.</summary>
    public string Source { get; }

    public static WebhookSecret FromValue(string value, string source) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException("the webhook secret is empty", nameof(value)) : new(value, source);

    /// <summary>
    /// Reads the secret from <paramref name="file"/> when given (trailing newline trimmed, as written by
    /// <c>kubectl create secret --from-file</c>), else from <see cref="EnvironmentVariable"/>; null when neither is set.
    /// Throws <see cref="IOException"/> with the path when the file cannot be read or is empty.
    /// </summary>
    public static WebhookSecret? Load(string? file, Func<string, string?> environment) =>
        SecretSource.Read(file, EnvironmentVariable, "webhook secret", environment) is { } secret
            ? new WebhookSecret(secret.Value, secret.Source)
            : null;

    public override string ToString() => $"<webhook secret from {Source}>";
}
