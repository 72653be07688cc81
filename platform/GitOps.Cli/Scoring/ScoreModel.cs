using System.Security.Cryptography;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Scoring;

/// <summary>
/// The model <c>gitops score</c> runs: an ONNX file (or a folder holding <c>model.onnx</c>, as the trainer writes
/// it), or <c>NAME</c> / <c>NAME@VERSION</c> from the registry of an environment (<c>--env</c>) or store
/// (<c>--store</c>): without a version, the version the environment serves as stable, else the latest recorded.
/// A registry model is fetched into a temporary file, deleted on dispose.
/// </summary>
public sealed class ScoreModel : IDisposable
{
    private readonly string? _temporary;

    private ScoreModel(string path, string name, string version, string? temporary, string? storeUri = null)
    {
        Path = path;
        StoreUri = storeUri;
        Name = name;
        Version = version;
        _temporary = temporary;
    }

    public string Path { get; }
    public string Name { get; }
    public string Version { get; }

    /// <summary>The artifact store the model was taken from (null for a file).</summary>
    public string? StoreUri { get; }

    public static async Task<ScoreModel> ResolveAsync(string model, string? name, string? version, string repository, string? env, string? store, CancellationToken ct)
    {
        var file = Directory.Exists(model) ? System.IO.Path.Combine(model, Specs.Contracts.TrainingContract.ModelFile) : model;
        if (File.Exists(file))
        {
            return new ScoreModel(file, name ?? DefaultName(file), version ?? await ShortDigestAsync(file, ct), null);
        }
        if (env is null && store is null)
        {
            throw new UserError($"--model '{model}' is not a file or a folder with {Specs.Contracts.TrainingContract.ModelFile}; " +
                                "give the path of an ONNX model, or NAME[@VERSION] with --env ENV or --store URI to take it from the registry.");
        }
        var at = model.IndexOf('@', StringComparison.Ordinal);
        var (modelName, pinned) = at < 0 ? (model, null) : (model[..at], model[(at + 1)..]);
        using var target = RegistryTarget.Open(repository, env, store);
        var versions = await target.Registry.VersionsAsync(modelName, ct);
        if (versions.IsDefaultOrEmpty)
        {
            var models = await target.Registry.ModelsAsync(ct);
            var hint = Suggestions.DidYouMean(modelName, models) is { } typo ? $"; {typo}" : "";
            throw new UserError($"model '{modelName}' has no recorded version in {target.Store.Root}{hint}.");
        }
        var chosen = pinned;
        if (chosen is null && target.Environment is { } environment
            && DeployHistory.Stable(await target.Registry.EventsAsync(modelName, environment, ct)) is { } stable)
        {
            chosen = stable.Version;
        }
        chosen ??= versions[^1].Version;
        if (!versions.Any(v => v.Version == chosen))
        {
            var hint = Suggestions.DidYouMean(chosen, versions.Select(v => v.Version)) is { } typo ? $"; {typo}" : "";
            throw new UserError($"model '{modelName}' has no recorded version '{chosen}' in {target.Store.Root}{hint}.");
        }
        var key = RegistryLayout.ModelFile(modelName, chosen);
        await using var source = await target.Store.OpenReadAsync(key, ct)
                                 ?? throw new UserError($"version '{chosen}' of '{modelName}' is recorded but {target.Store.Describe(key)} does not exist.");
        var temporary = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gitops-score-{Guid.NewGuid():N}.onnx");
        await using (var copy = File.Create(temporary))
        {
            await source.CopyToAsync(copy, ct);
        }
        return new ScoreModel(temporary, name ?? modelName, version ?? chosen, temporary, target.Uri);
    }

    /// <summary>The folder name above <c>model.onnx</c> (the trainer's output folder), else the file name.</summary>
    private static string DefaultName(string file)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(file);
        var folder = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file)));
        return stem == "model" && !string.IsNullOrEmpty(folder) ? folder : stem;
    }

    /// <summary>12 hex digits of the file's sha256: a version label that changes exactly when the model does.</summary>
    private static async Task<string> ShortDigestAsync(string file, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct))[..12];
    }

    public void Dispose()
    {
        if (_temporary is not null)
        {
            File.Delete(_temporary);
        }
    }
}
