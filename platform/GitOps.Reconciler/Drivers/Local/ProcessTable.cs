using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>What a recorded process is for.</summary>
public enum ProcessRole
{
    Training,
    Serving,
    Prometheus,
}

/// <summary>
/// One process the Local driver started, as recorded in the state folder: enough to find it again after
/// <c>gitops up</c> restarts (pid and start time), to know what it serves (owner object, template, replica, port,
/// pod labels) and where its log is.
/// </summary>
public sealed record ProcessRecord
{
    public required string Id { get; init; }
    public required ProcessRole Role { get; init; }
    public required int Pid { get; init; }
    public required long StartTime { get; init; }

    /// <summary>The object the process belongs to, as <c>Kind/namespace/name</c>.</summary>
    public required string Owner { get; init; }

    public string? TemplateHash { get; init; }
    public int Replica { get; init; }
    public int Port { get; init; }
    public required string Log { get; init; }
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public DateTimeOffset Started { get; init; }

    /// <summary>A file that exists once the process did its work (a training run's published model): how the outcome
    /// of a process adopted from an earlier <c>gitops up</c>, whose exit code nobody can read, is judged.</summary>
    public string? SuccessMarker { get; init; }

    [JsonIgnore]
    public bool IsAlive => OsProcesses.IsAlive(Pid, StartTime);
}

/// <summary>The processes the Local driver runs, saved to <c>processes.json</c> after every change.</summary>
public sealed class ProcessTable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Lock _gate = new();
    private readonly string _file;
    private readonly Dictionary<string, ProcessRecord> _records;

    public ProcessTable(StateFolder state)
    {
        _file = state.ProcessesFile;
        _records = Load(_file).ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    public static IReadOnlyList<ProcessRecord> Load(string file)
    {
        try
        {
            return JsonSerializer.Deserialize<List<ProcessRecord>>(File.ReadAllText(file), Json) ?? [];
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public IReadOnlyList<ProcessRecord> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _records.Values.OrderBy(r => r.Id, StringComparer.Ordinal)];
            }
        }
    }

    public ProcessRecord? Find(string id)
    {
        lock (_gate)
        {
            return _records.GetValueOrDefault(id);
        }
    }

    public void Put(ProcessRecord record)
    {
        lock (_gate)
        {
            _records[record.Id] = record;
            Save();
        }
    }

    public void Remove(string id)
    {
        lock (_gate)
        {
            if (_records.Remove(id))
            {
                Save();
            }
        }
    }

    // Called under the lock.
    private void Save() =>
        StateFolder.WriteAtomically(_file, JsonSerializer.Serialize(_records.Values.OrderBy(r => r.Id, StringComparer.Ordinal), Json));
}
