namespace GitOps.Reconciler.Hosting;

/// <summary>
/// Reads a secret the reconciler serves with (the webhook secret, the console token) from a file, as a mounted
/// Secret provides it, or else from an environment variable.
/// </summary>
public static class SecretSource
{
    /// <summary>
    /// The secret and where it came from (<c>file PATH</c> or <c>env VARIABLE</c>, safe to log): from
    /// <paramref name="file"/> when given (trailing newline trimmed, as written by <c>kubectl create secret --from-file</c>),
    /// else from <paramref name="variable"/>; null when neither is set. Throws <see cref="IOException"/> naming the file
    /// and <paramref name="what"/> when the file cannot be read or is empty.
    /// </summary>
    public static (string Value, string Source)? Read(string? file, string variable, string what, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(file))
        {
            string text;
            try
            {
                text = File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot read the {what} file {file}: {e.Message}", e);
            }
            return text.Length == 0 ? throw new IOException($"the {what} file {file} is empty") : (text, $"file {file}");
        }
        var env = environment(variable);
        return string.IsNullOrEmpty(env) ? null : (env, $"env {variable}");
    }
}
