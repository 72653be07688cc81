using System.Collections.Immutable;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;

namespace GitOps.Registry;

/// <summary>
/// The registry of record, kept in an environment's artifact store: one create-only record per trained version,
/// an index of versions and models, and each environment's append-only deploy history. The cluster only caches
/// what is here. Store faults surface as <see cref="ArtifactStoreException"/>; a damaged file as
/// <see cref="RegistryDataException"/>.
/// </summary>
public sealed class ModelRegistry(IArtifactStore store)
{
    public IArtifactStore Store => store;

    /// <summary>
    /// Writes <paramref name="record"/> if its version has none yet. Of two reconcilers racing to record the same
    /// version exactly one writes; the other gets the winner's record back.
    /// </summary>
    public async Task<RecordWrite> RecordAsync(ModelRecord record, CancellationToken ct)
    {
        var key = RegistryLayout.Record(record.Model, record.Version);
        var bytes = RegistryJson.Serialize(record);
        if (await store.CreateAsync(key, new MemoryStream(bytes, writable: false), "application/json", ct) == CreateResult.AlreadyExists)
        {
            var existing = await ReadAsync(record.Model, record.Version, ct)
                ?? throw new RegistryDataException($"'{store.Describe(key)}' exists but cannot be read back");
            return new RecordWrite(false, existing);
        }
        var versions = new AppendOnlyLog(store, RegistryLayout.VersionIndex(record.Model));
        var entry = RegistryJson.Serialize(new VersionEntry(record.Version, record.RecordedAt, record.Passed));
        if (await versions.AppendAsync(entry, ct) == 1)
        {
            await new AppendOnlyLog(store, RegistryLayout.ModelIndex).AppendAsync(RegistryJson.Serialize(new ModelEntry(record.Model)), ct);
        }
        return new RecordWrite(true, record);
    }

    /// <summary>The record of <paramref name="version"/>, or null when the version was never recorded.</summary>
    public async Task<ModelRecord?> ReadAsync(string model, string version, CancellationToken ct)
    {
        var key = RegistryLayout.Record(model, version);
        var bytes = await store.ReadAllBytesAsync(key, ct);
        return bytes is null ? null : RegistryJson.Read<ModelRecord>(bytes, store.Describe(key), "model version record");
    }

    /// <summary>Every model with at least one record, sorted by name.</summary>
    public async Task<ImmutableArray<string>> ModelsAsync(CancellationToken ct)
    {
        var entries = await new AppendOnlyLog(store, RegistryLayout.ModelIndex).ReadRecordsAsync<ModelEntry>("model index entry", ct);
        return [.. entries.Select(e => e.Model).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The recorded versions of <paramref name="model"/>, oldest first.</summary>
    public async Task<ImmutableArray<VersionEntry>> VersionsAsync(string model, CancellationToken ct) =>
        await new AppendOnlyLog(store, RegistryLayout.VersionIndex(model)).ReadRecordsAsync<VersionEntry>("version index entry", ct);

    /// <summary>Appends <paramref name="registryEvent"/> to its environment's deploy history.</summary>
    public async Task AppendEventAsync(RegistryEvent registryEvent, CancellationToken ct) =>
        await new AppendOnlyLog(store, RegistryLayout.Events(registryEvent.Model, registryEvent.Environment))
            .AppendAsync(RegistryJson.Serialize(registryEvent), ct);

    /// <summary>The deploy history of <paramref name="model"/> in <paramref name="environment"/>, oldest first.</summary>
    public async Task<ImmutableArray<RegistryEvent>> EventsAsync(string model, string environment, CancellationToken ct) =>
        await new AppendOnlyLog(store, RegistryLayout.Events(model, environment)).ReadRecordsAsync<RegistryEvent>("deploy history event", ct);

    /// <summary>
    /// Checks that the model file in the store still has the sha256 its record says. A mismatch means the artifact
    /// was replaced after it was recorded: it must never be served.
    /// </summary>
    public async Task<ArtifactCheck> VerifyArtifactAsync(ModelRecord record, CancellationToken ct)
    {
        var key = RegistryLayout.ModelFile(record.Model, record.Version);
        if (await store.DigestAsync(key, ct) is not { Sha256: var sha })
        {
            return new ArtifactCheck(false, null, $"the artifact of {record.Model} {record.Version} is missing at '{store.Describe(key)}' although it is recorded");
        }
        return sha == record.Artifact.Sha256
            ? new ArtifactCheck(true, sha, null)
            : new ArtifactCheck(false, sha,
                $"the artifact of {record.Model} {record.Version} at '{store.Describe(key)}' has sha256 {sha}, but its record says {record.Artifact.Sha256}: " +
                "it was changed after it was recorded and is refused; restore the original file or retrain under a new version");
    }
}

/// <summary>What <see cref="ModelRegistry.RecordAsync"/> did: <paramref name="Written"/> false means the version
/// was already recorded, and <paramref name="Record"/> is the one in the store.</summary>
public sealed record RecordWrite(bool Written, ModelRecord Record);

/// <summary>An entry of a model's version index.</summary>
public sealed record VersionEntry(string Version, DateTimeOffset RecordedAt, bool Passed);

/// <summary>An entry of the model index.</summary>
public sealed record ModelEntry(string Model);

/// <summary>Whether a recorded artifact still has its recorded digest.</summary>
public sealed record ArtifactCheck(bool Matches, string? Sha256, string? Error);

/// <summary>A registry file exists but cannot be read as what it should be.</summary>
public sealed class RegistryDataException(string message, Exception? inner = null) : Exception(message, inner);
