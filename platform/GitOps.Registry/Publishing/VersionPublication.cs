using System.Collections.Immutable;
using System.Security.Cryptography;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;

namespace GitOps.Registry.Publishing;

/// <summary>
/// Publishes a trained version's files into its folder of an artifact store (<paramref name="store"/> is rooted at
/// <c>MODEL/VERSION</c>) without ever overwriting a file, and finds a version that is already published
/// (<c>docs/registry.md</c>, "Publishing a version"):
/// <list type="number">
/// <item>each file is staged create-only under <c>attempts/ATTEMPT/</c>, a folder no other attempt writes to;</item>
/// <item><c>publish.json</c> is created, create-only: the commit point, naming the attempt and every file's sha256.
/// Of two attempts racing, exactly one commits; the other adopts the winner's files;</item>
/// <item>the canonical files (<c>metrics.json</c>, <c>lineage.json</c>, ..., <c>model.onnx</c> last) are created
/// from the committed attempt. Whoever finds <c>publish.json</c> without all of them finishes the copy.</item>
/// </list>
/// A version is complete when <c>model.onnx</c> exists: it is written last, and only after the commit. An attempt
/// that dies before the commit leaves only its own staged files, which nothing reads.
/// </summary>
public sealed class VersionPublication(IArtifactStore store)
{
    public const string ManifestKey = "publish.json";
    public const string AttemptsFolder = "attempts";

    private const int BufferSize = 1 << 16;

    /// <summary>
    /// The complete version in the store, finishing the canonical copies of a committed one; null when nothing is
    /// committed yet. A file whose bytes differ from what was committed is a <see cref="PublishOutcome.Conflict"/>.
    /// </summary>
    public async Task<PublishOutcome?> FindAsync(CancellationToken ct) =>
        await ReadManifestAsync(ct) is { } manifest
            ? await CompleteAsync(manifest, PublishKind.AlreadyPublished, null, ct)
            : await FindUncommittedModelAsync(TrainingContract.OutputFiles, ct);

    /// <summary>
    /// Publishes <paramref name="files"/> (paths relative to <paramref name="directory"/>). Publishing the bytes
    /// already committed succeeds without writing; other bytes under a committed version are refused.
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(string directory, IReadOnlyList<string> files, CancellationToken ct)
    {
        var local = ImmutableArray.CreateRange(files
            .OrderBy(f => f == TrainingContract.ModelFile ? 1 : 0)
            .ThenBy(f => f, StringComparer.Ordinal)
            .Select(f => Describe(Path.Combine(directory, f), f)));
        var existing = await ReadManifestAsync(ct) is { } committed
            ? await CompleteAsync(committed, PublishKind.AlreadyPublished, null, ct)
            : await FindUncommittedModelAsync(local.Select(f => f.Path), ct);
        if (existing is null && await LeftoverAsync(local, ct) is { } leftover)
        {
            // Another attempt may have committed after the manifest was read above: its canonical files are then the
            // committed version, not a leftover.
            existing = await ReadManifestAsync(ct) is { } late ? await CompleteAsync(late, PublishKind.AlreadyPublished, null, ct) : null;
            if (existing is null)
            {
                return PublishOutcome.Refused(
                $"'{store.Describe(leftover)}' exists although the version was never committed ({ManifestKey} is missing): an attempt published it " +
                $"before versions were committed through {ManifestKey} and died before {TrainingContract.ModelFile}. Files are never overwritten: " +
                $"delete the files of '{store.Root}' by hand, then retry the training");
            }
        }
        if (existing is not null)
        {
            return !existing.Succeeded || SameFiles(existing.Manifest!, local) ? existing : PublishOutcome.Refused(Differs(existing.Manifest!, local));
        }
        var attempt = Guid.NewGuid().ToString("N");
        foreach (var file in local)
        {
            await using var content = OpenLocal(Path.Combine(directory, file.Path));
            await store.CreateAsync($"{AttemptsFolder}/{attempt}/{file.Path}", content, ContentType(file.Path), ct);
        }
        var manifest = new PublicationManifest(PublicationManifest.CurrentSchema, attempt, local);
        var bytes = RegistryJson.Serialize(manifest);
        if (await store.CreateAsync(ManifestKey, new MemoryStream(bytes, writable: false), "application/json", ct) == CreateResult.AlreadyExists)
        {
            var winner = await ReadManifestAsync(ct) ?? throw new RegistryDataException($"'{store.Describe(ManifestKey)}' exists but cannot be read back");
            return await CompleteAsync(winner, PublishKind.PublishedByAnother, null, ct);
        }
        return await CompleteAsync(manifest, PublishKind.Published, directory, ct);
    }

    /// <summary>Creates every canonical file of <paramref name="manifest"/> that is missing (from
    /// <paramref name="localDirectory"/> when this process holds the bytes, else from the committed attempt's staged
    /// copy) and checks those that exist.</summary>
    private async Task<PublishOutcome> CompleteAsync(PublicationManifest manifest, PublishKind kind, string? localDirectory, CancellationToken ct)
    {
        var written = new List<string>();
        foreach (var file in manifest.Files)
        {
            if (await store.DigestAsync(file.Path, ct) is { } stored)
            {
                if (stored.Sha256 != file.Sha256)
                {
                    return PublishOutcome.Refused(Changed(file, stored.Sha256));
                }
                written.Add(store.Describe(file.Path));
                continue;
            }
            var source = localDirectory is null ? null : Path.Combine(localDirectory, file.Path);
            var staged = $"{AttemptsFolder}/{manifest.Attempt}/{file.Path}";
            try
            {
                if (source is null)
                {
                    source = Path.Combine(Path.GetTempPath(), $"gitops-publish-{Guid.NewGuid():N}");
                    if (await DownloadAsync(staged, source, ct) is not { } copied)
                    {
                        return PublishOutcome.Refused(
                            $"the version was committed by attempt {manifest.Attempt}, but its staged '{store.Describe(staged)}' is missing: " +
                            $"'{store.Describe(file.Path)}' cannot be completed. Restore the staged file, or retrain under a new version (change the model's inputs)");
                    }
                    if (copied != file.Sha256)
                    {
                        return PublishOutcome.Refused(
                            $"the staged '{store.Describe(staged)}' has sha256 {copied}, but {ManifestKey} committed {file.Sha256}: the store changed it; " +
                            "the version is refused. Retrain under a new version (change the model's inputs)");
                    }
                }
                await using (var content = OpenLocal(source))
                {
                    if (await store.CreateAsync(file.Path, content, ContentType(file.Path), ct) == CreateResult.AlreadyExists
                        && (await store.DigestAsync(file.Path, ct))?.Sha256 is { } raced && raced != file.Sha256)
                    {
                        return PublishOutcome.Refused(Changed(file, raced));
                    }
                }
            }
            finally
            {
                if (localDirectory is null && source is not null && File.Exists(source))
                {
                    File.Delete(source);
                }
            }
            written.Add(store.Describe(file.Path));
        }
        return PublishOutcome.Complete(kind, manifest, written);
    }

    /// <summary>A version published before commits existed: its <c>model.onnx</c> (written last) is there, without
    /// <c>publish.json</c>. Its files are taken as they are.</summary>
    private async Task<PublishOutcome?> FindUncommittedModelAsync(IEnumerable<string> paths, CancellationToken ct)
    {
        if (!await store.ExistsAsync(TrainingContract.ModelFile, ct))
        {
            return null;
        }
        var files = ImmutableArray.CreateBuilder<PublishedFile>();
        foreach (var path in paths)
        {
            if (await store.DigestAsync(path, ct) is { } stored)
            {
                files.Add(new PublishedFile(path, stored.Sha256, stored.Bytes));
            }
        }
        var manifest = new PublicationManifest(PublicationManifest.CurrentSchema, "", files.ToImmutable());
        return PublishOutcome.Complete(PublishKind.AlreadyPublished, manifest, [.. files.Select(f => store.Describe(f.Path))]);
    }

    private async Task<string?> LeftoverAsync(ImmutableArray<PublishedFile> files, CancellationToken ct)
    {
        foreach (var file in files)
        {
            if (await store.ExistsAsync(file.Path, ct))
            {
                return file.Path;
            }
        }
        return null;
    }

    private async Task<PublicationManifest?> ReadManifestAsync(CancellationToken ct)
    {
        // Asked first because a file store rooted at a version folder that does not exist yet (the version's first
        // training) answers a read with "the store folder does not exist".
        if (!await store.ExistsAsync(ManifestKey, ct) || await store.ReadAllBytesAsync(ManifestKey, ct) is not { } bytes)
        {
            return null;
        }
        return RegistryJson.Read<PublicationManifest>(bytes, store.Describe(ManifestKey), "publication manifest");
    }

    /// <summary>Copies a stored key to <paramref name="destination"/>, returning its sha256, or null when it does not exist.</summary>
    private async Task<string?> DownloadAsync(string key, string destination, CancellationToken ct)
    {
        await using var source = await store.OpenReadAsync(key, ct);
        return source is null ? null : await ArtifactStoreReads.CopyToNewFileAsync(source, destination, ct);
    }

    private static bool SameFiles(PublicationManifest manifest, ImmutableArray<PublishedFile> local) =>
        local.All(l => manifest.Files.Any(f => f.Path == l.Path && f.Sha256 == l.Sha256));

    private string Differs(PublicationManifest manifest, ImmutableArray<PublishedFile> local)
    {
        var file = local.First(l => !manifest.Files.Any(f => f.Path == l.Path && f.Sha256 == l.Sha256));
        var stored = manifest.Files.FirstOrDefault(f => f.Path == file.Path)?.Sha256 ?? "(absent)";
        return $"'{store.Describe(file.Path)}' is published with sha256 {stored}, which differs from the {file.Sha256} being published: " +
            "artifacts are write-once, a version's files are never replaced; train under a new version (change the model's inputs)";
    }

    private string Changed(PublishedFile file, string stored) =>
        $"'{store.Describe(file.Path)}' has sha256 {stored}, but {ManifestKey} committed {file.Sha256}: the file was changed in the store " +
        "and is refused, loudly; restore the committed file or retrain under a new version";

    private static PublishedFile Describe(string localPath, string relative)
    {
        using var stream = OpenLocal(localPath);
        return new PublishedFile(relative, Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length);
    }

    private static FileStream OpenLocal(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);

    private static string ContentType(string path) => path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";
}
