using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Rollouts.Persistence;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// The ConfigMap that holds one model's rollout: <c>gitops-rollout-&lt;model&gt;</c>, key <c>state.json</c>
/// (<see cref="RolloutStateJson"/>), the pending operator commands as annotation <c>gitops.ml/rollout-command</c>
/// (a list of <c>{"command","actor","at","id"}</c>, oldest first; one such object alone is read as a list of one) and
/// the id of the last command applied as
/// <c>gitops.ml/rollout-command-done</c>. The local runtime keeps the same object in its state folder. It carries no
/// managed-object labels: it is never part of a plan and never pruned.
/// </summary>
public static class RolloutConfigMap
{
    public const string NamePrefix = "gitops-rollout-";
    public const string StateKey = "state.json";
    public const string CommandAnnotation = "gitops.ml/rollout-command";
    public const string CommandDoneAnnotation = "gitops.ml/rollout-command-done";
    public const string RolloutOfLabel = "ml.gitops/rollout-of";
    public const string EnvironmentLabel = "ml.gitops/rollout-environment";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string NameOf(string model) => NamePrefix + model;

    /// <summary>The label selector that lists the rollouts of one environment.</summary>
    public static string SelectorOf(string environment) => $"{RolloutOfLabel},{EnvironmentLabel}={environment}";

    public static JsonObject Create(string environment, string @namespace, string model, RolloutState state) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = NameOf(model),
            ["namespace"] = @namespace,
            ["labels"] = new JsonObject
            {
                ["app.kubernetes.io/managed-by"] = "gitops-reconciler",
                [RolloutOfLabel] = model,
                [EnvironmentLabel] = environment,
            },
        },
        ["data"] = new JsonObject { [StateKey] = RolloutStateJson.Serialize(state) },
    };

    /// <summary>The merge patch that stores <paramref name="state"/> if the object is still at
    /// <paramref name="resourceVersion"/>, and marks <paramref name="completedCommandId"/> (and the commands recorded
    /// before it) done when it is one of <paramref name="pending"/>.</summary>
    public static JsonObject StatePatch(RolloutState state, string resourceVersion, string? completedCommandId, ImmutableArray<PendingRolloutCommand> pending)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (completedCommandId is not null && pending.Any(p => p.Id == completedCommandId))
        {
            metadata["annotations"] = DoneAnnotations(completedCommandId, pending);
        }
        return new JsonObject { ["metadata"] = metadata, ["data"] = new JsonObject { [StateKey] = RolloutStateJson.Serialize(state) } };
    }

    /// <summary>The merge patch that records <paramref name="command"/> after the <paramref name="pending"/> ones.</summary>
    public static JsonObject CommandPatch(PendingRolloutCommand command, ImmutableArray<PendingRolloutCommand> pending, string resourceVersion) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["resourceVersion"] = resourceVersion,
            ["annotations"] = new JsonObject { [CommandAnnotation] = CommandsText([.. pending, command]) },
        },
    };

    /// <summary>The merge patch that marks <paramref name="commandId"/> and the commands recorded before it done.</summary>
    public static JsonObject DonePatch(string commandId, ImmutableArray<PendingRolloutCommand> pending, string resourceVersion) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["resourceVersion"] = resourceVersion,
            ["annotations"] = DoneAnnotations(commandId, pending),
        },
    };

    private static JsonObject DoneAnnotations(string commandId, ImmutableArray<PendingRolloutCommand> pending)
    {
        var index = pending.IndexOf(pending.First(p => p.Id == commandId));
        var remaining = pending[(index + 1)..];
        return new JsonObject
        {
            [CommandAnnotation] = remaining.IsEmpty ? null : CommandsText(remaining),
            [CommandDoneAnnotation] = commandId,
        };
    }

    /// <summary>Reads a stored rollout; a damaged <c>state.json</c> is reported with the object's name, never half-read.</summary>
    public static StoredRollout Read(string environment, JsonObject configMap)
    {
        var metadata = configMap["metadata"] as JsonObject ?? new JsonObject();
        var name = metadata["name"]?.GetValue<string>() ?? "";
        var model = metadata["labels"]?[RolloutOfLabel]?.GetValue<string>()
            ?? (name.StartsWith(NamePrefix, StringComparison.Ordinal) ? name[NamePrefix.Length..] : name);
        var text = configMap["data"]?[StateKey]?.GetValue<string>() ?? "";
        if (!RolloutStateJson.TryDeserialize(text, out var state, out var error))
        {
            throw new InvalidDataException($"ConfigMap {metadata["namespace"]?.GetValue<string>()}/{name} key {StateKey}: {error}");
        }
        var annotations = metadata["annotations"] as JsonObject;
        return new StoredRollout(
            environment,
            model,
            state,
            metadata["resourceVersion"]?.GetValue<string>() ?? "",
            ParseCommands(annotations?[CommandAnnotation]?.GetValue<string>()),
            annotations?[CommandDoneAnnotation]?.GetValue<string>());
    }

    /// <summary>Applies a JSON merge patch (RFC 7386) the way the API server does, for the copy kept on disk by the
    /// local runtime: objects merge, null removes, anything else replaces.</summary>
    public static void ApplyMergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                ApplyMergePatch(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>A new command id: time-ordered and unique (a UUIDv7 without dashes).</summary>
    public static string NewCommandId(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    public static JsonObject CommandJson(PendingRolloutCommand command) => new()
    {
        ["command"] = CommandName(command.Command.Kind),
        ["actor"] = command.Command.Actor,
        ["at"] = command.Command.At.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
        ["id"] = command.Id,
    };

    /// <summary>The annotation's text for <paramref name="commands"/>: a JSON list, oldest first.</summary>
    public static string CommandsText(IEnumerable<PendingRolloutCommand> commands) =>
        new JsonArray([.. commands.Select(c => (JsonNode)CommandJson(c))]).ToJsonString();

    /// <summary>The commands in an annotation (a list, or one command object written by hand), in the order recorded;
    /// an entry that is not a command is ignored rather than guessed at.</summary>
    public static ImmutableArray<PendingRolloutCommand> ParseCommands(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(text) switch
            {
                JsonObject one => ParseCommand(one) is { } command ? [command] : [],
                JsonArray many => [.. many.OfType<JsonObject>().Select(ParseCommand).OfType<PendingRolloutCommand>()],
                _ => [],
            };
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static PendingRolloutCommand? ParseCommand(JsonObject json)
    {
        try
        {
            if (json["command"]?.GetValue<string>() is not { } name
                || KindOf(name) is not { } kind
                || json["id"]?.GetValue<string>() is not { Length: > 0 } id)
            {
                return null;
            }
            var at = DateTimeOffset.TryParse(json["at"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t
                : DateTimeOffset.MinValue;
            return new PendingRolloutCommand(id, new RolloutCommand(kind, json["actor"]?.GetValue<string>() ?? "unknown", at));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The command's name in the annotation: <c>promote</c>, <c>promoteFull</c>, <c>abort</c>, <c>retry</c>.</summary>
    public static string CommandName(RolloutCommandKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static RolloutCommandKind? KindOf(string name) =>
        Enum.GetValues<RolloutCommandKind>().Cast<RolloutCommandKind?>().FirstOrDefault(k => CommandName(k!.Value) == name);
}
