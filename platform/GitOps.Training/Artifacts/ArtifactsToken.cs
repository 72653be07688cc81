using GitOps.Specs.Contracts;

namespace GitOps.Training.Artifacts;

/// <summary>
/// The artifact store's bearer token: read from the file named by <see cref="TrainingContract.ArtifactsTokenFile"/>
/// (a mounted Secret, what rendered pods get), else taken from <see cref="TrainingContract.ArtifactsToken"/>. Errors
/// name the file, never its content.
/// </summary>
public static class ArtifactsToken
{
    /// <summary>The token (null when none is configured), or an error saying what to fix.</summary>
    public static (string? Token, string? Error) Read(Func<string, string?> variable)
    {
        if (variable(TrainingContract.ArtifactsTokenFile) is { Length: > 0 } file)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"cannot read the artifact store token file {file} ({TrainingContract.ArtifactsTokenFile}): {e.Message}");
            }
            // kubectl create secret --from-file keeps the file's trailing newline; it is not part of the token.
            var token = text.TrimEnd('\r', '\n');
            return token.Length == 0
                ? (null, $"the artifact store token file {file} ({TrainingContract.ArtifactsTokenFile}) is empty; put the token in the Secret named by spec.artifacts.tokenSecretRef")
                : (token, null);
        }
        return (variable(TrainingContract.ArtifactsToken) is { Length: > 0 } value ? value : null, null);
    }
}
