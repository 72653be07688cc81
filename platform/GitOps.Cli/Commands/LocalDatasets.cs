using System.Security.Cryptography;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Training.Datasets;

namespace GitOps.Cli.Commands;

/// <summary>
/// Datasets a local environment can use without downloading them: files already in the state folder's
/// <c>datasets/</c> named by their sha256, and the example datasets <c>gitops datasets generate</c> writes (they are
/// deterministic, so their digest says which one a model wants).
/// </summary>
public static class LocalDatasets
{
    public static Func<string, string?> In(StateFolder state)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        return sha256 =>
        {
            var sha = sha256.ToLowerInvariant();
            var cached = Path.Combine(state.DatasetsFolder, sha + ".csv");
            if (File.Exists(cached))
            {
                return cached;
            }
            lock (tried)
            {
                if (!tried.Add(sha))
                {
                    return null;
                }
                Directory.CreateDirectory(state.DatasetsFolder);
                var candidate = Path.Combine(state.DatasetsFolder, "fraud.csv.tmp");
                FraudDataset.WriteFile(candidate, FraudDataset.DefaultRows, FraudDataset.DefaultSeed);
                if (Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(candidate))) != sha)
                {
                    File.Delete(candidate);
                    return null;
                }
                File.Move(candidate, cached, overwrite: true);
                return cached;
            }
        };
    }
}
