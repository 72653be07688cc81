using System.Collections.Immutable;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;

namespace GitOps.Registry;

/// <summary>
/// Experiment runs in the registry of record: one create-only record per finished trial, one per finished run linking
/// every trial, a log of each experiment's runs and an index of experiments. Like <see cref="ModelRegistry"/>, store
/// faults surface as <see cref="ArtifactStoreException"/> and a damaged file as <see cref="RegistryDataException"/>.
/// </summary>
public sealed class ExperimentRegistry(IArtifactStore store)
{
    public IArtifactStore Store => store;

    /// <summary>Writes the trial's record unless one exists; returns the record in the store.</summary>
    public async Task<TrialRecord> RecordTrialAsync(TrialRecord record, CancellationToken ct)
    {
        var key = RegistryLayout.TrialRecord(record.Experiment, record.Run, record.Trial);
        if (await store.CreateAsync(key, new MemoryStream(RegistryJson.Serialize(record), writable: false), "application/json", ct) == CreateResult.Created)
        {
            return record;
        }
        return await ReadTrialAsync(record.Experiment, record.Run, record.Trial, ct)
               ?? throw new RegistryDataException($"'{store.Describe(key)}' exists but cannot be read back");
    }

    public async Task<TrialRecord?> ReadTrialAsync(string experiment, string run, string trial, CancellationToken ct) =>
        await ReadAsync<TrialRecord>(RegistryLayout.TrialRecord(experiment, run, trial), "trial record", ct);

    /// <summary>
    /// Writes the run's record unless one exists, then lists the run in the experiment's log (and the experiment in
    /// the index, with its first run). Returns the record in the store.
    /// </summary>
    public async Task<ExperimentRecord> RecordRunAsync(ExperimentRecord record, CancellationToken ct)
    {
        var key = RegistryLayout.ExperimentRecord(record.Experiment, record.Run);
        if (await store.CreateAsync(key, new MemoryStream(RegistryJson.Serialize(record), writable: false), "application/json", ct) == CreateResult.AlreadyExists)
        {
            return await ReadRunAsync(record.Experiment, record.Run, ct)
                   ?? throw new RegistryDataException($"'{store.Describe(key)}' exists but cannot be read back");
        }
        var runs = new AppendOnlyLog(store, RegistryLayout.ExperimentRuns(record.Experiment));
        if (await runs.AppendAsync(RegistryJson.Serialize(new RunEntry(record.Run, record.FinishedAt)), ct) == 1)
        {
            await new AppendOnlyLog(store, RegistryLayout.ExperimentIndex).AppendAsync(RegistryJson.Serialize(new ExperimentEntry(record.Experiment)), ct);
        }
        return record;
    }

    public async Task<ExperimentRecord?> ReadRunAsync(string experiment, string run, CancellationToken ct) =>
        await ReadAsync<ExperimentRecord>(RegistryLayout.ExperimentRecord(experiment, run), "experiment run record", ct);

    /// <summary>Every experiment with a finished run, sorted by name.</summary>
    public async Task<ImmutableArray<string>> ExperimentsAsync(CancellationToken ct)
    {
        var entries = await new AppendOnlyLog(store, RegistryLayout.ExperimentIndex).ReadRecordsAsync<ExperimentEntry>("experiment index entry", ct);
        return [.. entries.Select(e => e.Experiment).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The finished runs of <paramref name="experiment"/>, oldest first.</summary>
    public async Task<ImmutableArray<RunEntry>> RunsAsync(string experiment, CancellationToken ct) =>
        await new AppendOnlyLog(store, RegistryLayout.ExperimentRuns(experiment)).ReadRecordsAsync<RunEntry>("experiment run log entry", ct);

    /// <summary>The newest finished run of <paramref name="experiment"/>, or null when it has none.</summary>
    public async Task<ExperimentRecord?> LatestRunAsync(string experiment, CancellationToken ct)
    {
        var runs = await RunsAsync(experiment, ct);
        return runs.IsEmpty ? null : await ReadRunAsync(experiment, runs[^1].Run, ct);
    }

    private async Task<T?> ReadAsync<T>(string key, string what, CancellationToken ct) where T : class
    {
        var bytes = await store.ReadAllBytesAsync(key, ct);
        return bytes is null ? null : RegistryJson.Read<T>(bytes, store.Describe(key), what);
    }
}

/// <summary>An entry of an experiment's run log.</summary>
public sealed record RunEntry(string Run, DateTimeOffset FinishedAt);

/// <summary>An entry of the experiment index.</summary>
public sealed record ExperimentEntry(string Experiment);
