using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// The rollouts of the local runtime as <c>rollouts/&lt;env&gt;/&lt;model&gt;.json</c> in the state folder: the same
/// ConfigMap the reconciler keeps in a cluster (<see cref="RolloutConfigMap"/>), with the same optimistic concurrency.
/// <c>gitops up</c> and <c>gitops rollout ...</c> are different processes, so each read-compare-write holds an
/// exclusive lock on <c>rollouts/&lt;env&gt;/&lt;model&gt;.lock</c>; files are replaced atomically, so a reader never
/// sees half of one.
/// </summary>
public sealed class LocalRolloutStateStore(StateFolder state, TimeProvider? time = null) : IRolloutStateStore
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string FolderOf(string environment) => Path.Combine(state.Root, "rollouts", environment);

    public string PathOf(string environment, string model) => Path.Combine(FolderOf(environment), model + ".json");

    public Task<StoredRollout?> LoadAsync(RolloutScope scope, string model, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Read(scope.Environment, model));
    }

    public async Task<StoredRollout> SaveAsync(RolloutScope scope, string model, RolloutState rollout, string? resourceVersion, CancellationToken ct, string? completedCommandId = null)
    {
        using var held = await LockAsync(scope.Environment, model, ct);
        var current = StateFolder.ReadJson(PathOf(scope.Environment, model));
        var stored = current?["metadata"]?["resourceVersion"]?.GetValue<string>();
        if (stored != resourceVersion)
        {
            throw new RolloutStateConflictException(scope.Environment, model, $"stored version {stored ?? "none"}, read {resourceVersion ?? "none"}");
        }
        JsonObject next;
        if (current is null)
        {
            next = RolloutConfigMap.Create(scope.Environment, scope.Namespace, model, rollout);
        }
        else
        {
            var pending = RolloutConfigMap.Read(scope.Environment, current).PendingCommands;
            next = current;
            RolloutConfigMap.ApplyMergePatch(next, RolloutConfigMap.StatePatch(rollout, resourceVersion!, completedCommandId, pending));
        }
        return Write(scope.Environment, model, next, stored);
    }

    public Task<ImmutableArray<StoredRollout>> ListAsync(RolloutScope scope, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var folder = FolderOf(scope.Environment);
        if (!Directory.Exists(folder))
        {
            return Task.FromResult(ImmutableArray<StoredRollout>.Empty);
        }
        ImmutableArray<StoredRollout> all = [.. Directory.EnumerateFiles(folder, "*.json")
            .Select(path => Read(scope.Environment, Path.GetFileNameWithoutExtension(path)))
            .OfType<StoredRollout>()
            .OrderBy(r => r.Model, StringComparer.Ordinal)];
        return Task.FromResult(all);
    }

    public async Task<PendingRolloutCommand> WriteCommandAsync(RolloutScope scope, string model, RolloutCommand command, CancellationToken ct)
    {
        using var held = await LockAsync(scope.Environment, model, ct);
        var current = StateFolder.ReadJson(PathOf(scope.Environment, model)) ?? throw new RolloutNotFoundException(scope.Environment, model);
        var version = current["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
        var pending = new PendingRolloutCommand(RolloutConfigMap.NewCommandId(_time), command);
        var earlier = RolloutConfigMap.Read(scope.Environment, current).PendingCommands;
        RolloutConfigMap.ApplyMergePatch(current, RolloutConfigMap.CommandPatch(pending, earlier, version));
        Write(scope.Environment, model, current, version);
        return pending;
    }

    public async Task<ImmutableArray<PendingRolloutCommand>> TakePendingCommandsAsync(RolloutScope scope, string model, CancellationToken ct) =>
        (await LoadAsync(scope, model, ct))?.PendingCommands ?? [];

    public async Task<bool> MarkCommandDoneAsync(RolloutScope scope, string model, string commandId, CancellationToken ct)
    {
        using var held = await LockAsync(scope.Environment, model, ct);
        var current = StateFolder.ReadJson(PathOf(scope.Environment, model));
        var pending = current is null ? [] : RolloutConfigMap.Read(scope.Environment, current).PendingCommands;
        if (current is null || !pending.Any(p => p.Id == commandId))
        {
            return false;
        }
        var version = current["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
        RolloutConfigMap.ApplyMergePatch(current, RolloutConfigMap.DonePatch(commandId, pending, version));
        Write(scope.Environment, model, current, version);
        return true;
    }

    private StoredRollout? Read(string environment, string model) =>
        StateFolder.ReadJson(PathOf(environment, model)) is { } configMap ? RolloutConfigMap.Read(environment, configMap) : null;

    private StoredRollout Write(string environment, string model, JsonObject configMap, string? previousVersion)
    {
        var next = long.TryParse(previousVersion, CultureInfo.InvariantCulture, out var n) ? n + 1 : 1;
        configMap["metadata"]!["resourceVersion"] = next.ToString(CultureInfo.InvariantCulture);
        StateFolder.WriteJson(PathOf(environment, model), configMap);
        return RolloutConfigMap.Read(environment, configMap);
    }

    /// <summary>Waits for the model's lock file (held by another process only for one read-compare-write).</summary>
    private async Task<FileStream> LockAsync(string environment, string model, CancellationToken ct)
    {
        Directory.CreateDirectory(FolderOf(environment));
        var path = Path.Combine(FolderOf(environment), model + ".lock");
        var deadline = _time.GetUtcNow() + LockWait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (_time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            }
        }
    }
}
