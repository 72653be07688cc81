using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// Keeps each model's rollout in ConfigMap <c>gitops-rollout-&lt;model&gt;</c> of the environment's namespace (see
/// <see cref="RolloutConfigMap"/>). Creates are POSTs (409 AlreadyExists when someone created it first); later writes
/// are JSON merge patches carrying the resourceVersion that was read, so the API server refuses a stale write with 409
/// and a state save never drops an operator's command written in between.
/// </summary>
public sealed class ConfigMapRolloutStateStore(KubernetesApiConnection api, TimeProvider? time = null) : IRolloutStateStore
{
    private const string MergePatch = "application/merge-patch+json";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<StoredRollout?> LoadAsync(RolloutScope scope, string model, CancellationToken ct)
    {
        var name = RolloutConfigMap.NameOf(model);
        var response = await api.SendAsync(HttpMethod.Get, KubernetesPaths.Item("v1", "configmaps", scope.Namespace, name), null, null, ct);
        if (response.StatusCode == 404 && !IsMissingNamespace(response))
        {
            return null;
        }
        if (!response.IsSuccess || response.Body is not { } body)
        {
            throw Failure("get", scope, name, response);
        }
        return RolloutConfigMap.Read(scope.Environment, body);
    }

    public async Task<StoredRollout> SaveAsync(RolloutScope scope, string model, RolloutState state, string? resourceVersion, CancellationToken ct, string? completedCommandId = null)
    {
        var name = RolloutConfigMap.NameOf(model);
        KubernetesResponse response;
        if (resourceVersion is null)
        {
            response = await api.SendAsync(HttpMethod.Post, KubernetesPaths.Collection("v1", "configmaps", scope.Namespace),
                RolloutConfigMap.Create(scope.Environment, scope.Namespace, model, state), "application/json", ct);
        }
        else
        {
            // The patch clears the commands up to the one applied: a newer command stays pending (and a save based on a
            // read from before it was written is refused anyway, by its resourceVersion).
            var pending = completedCommandId is null ? [] : (await LoadAsync(scope, model, ct))?.PendingCommands ?? [];
            response = await api.SendAsync(HttpMethod.Patch, KubernetesPaths.Item("v1", "configmaps", scope.Namespace, name),
                RolloutConfigMap.StatePatch(state, resourceVersion, completedCommandId, pending), MergePatch, ct);
        }
        if (response.IsSuccess && response.Body is { } body)
        {
            return RolloutConfigMap.Read(scope.Environment, body);
        }
        if (response.StatusCode is 409 || response.StatusCode is 404 && resourceVersion is not null && !IsMissingNamespace(response))
        {
            throw new RolloutStateConflictException(scope.Environment, model, response.Body?["reason"]?.GetValue<string>() ?? $"HTTP {response.StatusCode}");
        }
        throw Failure(resourceVersion is null ? "create" : "patch", scope, name, response);
    }

    public async Task<ImmutableArray<StoredRollout>> ListAsync(RolloutScope scope, CancellationToken ct)
    {
        var path = KubernetesPaths.Collection("v1", "configmaps", scope.Namespace)
            + "?labelSelector=" + Uri.EscapeDataString(RolloutConfigMap.SelectorOf(scope.Environment));
        var response = await api.SendAsync(HttpMethod.Get, path, null, null, ct);
        if (!response.IsSuccess || response.Body is not { } body)
        {
            throw ApiRefusal.Failure(new ApiTarget("list", "v1", "configmaps", scope.Namespace), response);
        }
        return [.. (body["items"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(item => RolloutConfigMap.Read(scope.Environment, item))
            .OrderBy(r => r.Model, StringComparer.Ordinal)];
    }

    public async Task<PendingRolloutCommand> WriteCommandAsync(RolloutScope scope, string model, RolloutCommand command, CancellationToken ct)
    {
        var pending = new PendingRolloutCommand(RolloutConfigMap.NewCommandId(_time), command);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var stored = await LoadAsync(scope, model, ct) ?? throw new RolloutNotFoundException(scope.Environment, model);
            if (await PatchAsync(scope, model, RolloutConfigMap.CommandPatch(pending, stored.PendingCommands, stored.ResourceVersion), ct))
            {
                return pending;
            }
        }
        throw new RolloutStateConflictException(scope.Environment, model, "written by others five times in a row");
    }

    public async Task<ImmutableArray<PendingRolloutCommand>> TakePendingCommandsAsync(RolloutScope scope, string model, CancellationToken ct) =>
        (await LoadAsync(scope, model, ct))?.PendingCommands ?? [];

    public async Task<bool> MarkCommandDoneAsync(RolloutScope scope, string model, string commandId, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var stored = await LoadAsync(scope, model, ct);
            if (stored is null || !stored.PendingCommands.Any(p => p.Id == commandId))
            {
                return false;
            }
            if (await PatchAsync(scope, model, RolloutConfigMap.DonePatch(commandId, stored.PendingCommands, stored.ResourceVersion), ct))
            {
                return true;
            }
        }
        throw new RolloutStateConflictException(scope.Environment, model, "written by others five times in a row");
    }

    /// <summary>True when applied; false when the object changed since it was read (409), to read again.</summary>
    private async Task<bool> PatchAsync(RolloutScope scope, string model, JsonObject patch, CancellationToken ct)
    {
        var name = RolloutConfigMap.NameOf(model);
        var response = await api.SendAsync(HttpMethod.Patch, KubernetesPaths.Item("v1", "configmaps", scope.Namespace, name), patch, MergePatch, ct);
        if (response.IsSuccess)
        {
            return true;
        }
        if (response.StatusCode == 409)
        {
            return false;
        }
        if (response.StatusCode == 404 && !IsMissingNamespace(response))
        {
            throw new RolloutNotFoundException(scope.Environment, model);
        }
        throw Failure("patch", scope, name, response);
    }

    private static bool IsMissingNamespace(KubernetesResponse response) =>
        response.Body?["details"]?["kind"]?.GetValue<string>() == "namespaces";

    private static KubernetesApiException Failure(string verb, RolloutScope scope, string name, KubernetesResponse response) =>
        ApiRefusal.Failure(new ApiTarget(verb, "v1", "configmaps", scope.Namespace, "ConfigMap", name), response);
}
