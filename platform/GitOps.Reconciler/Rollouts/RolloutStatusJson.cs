using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Rollouts.Persistence;
using GitOps.Rollouts.Replay;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// <c>gitops rollout status -o json</c>: <c>{"rollouts": [...]}</c>, each with its summary, its steps, the pending
/// command, the whole persisted state (<c>state</c>, the <c>state.json</c> of the ConfigMap) and its measurements as a
/// measurements file (<c>recording</c>) that <c>gitops analyze --measurements</c> replays. The web console's rollout
/// API serves the same document.
/// </summary>
public static class RolloutStatusJson
{
    public static string Render(IEnumerable<(StoredRollout Rollout, RolloutPolicy? Policy)> rollouts) =>
        ToJson(rollouts).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static JsonObject ToJson(IEnumerable<(StoredRollout Rollout, RolloutPolicy? Policy)> rollouts) =>
        new() { ["rollouts"] = new JsonArray([.. rollouts.Select(r => (JsonNode)Of(r.Rollout, r.Policy))]) };

    private static JsonObject Of(StoredRollout rollout, RolloutPolicy? policy)
    {
        var s = rollout.State;
        var json = new JsonObject
        {
            ["environment"] = rollout.Environment,
            ["model"] = rollout.Model,
            ["policy"] = policy?.Name,
            ["phase"] = JsonNamingPolicy.CamelCase.ConvertName(s.Phase.ToString()),
            ["stable"] = s.Stable,
            ["canary"] = s.Canary,
            ["weight"] = s.Weight,
            ["step"] = s.InProgress ? s.StepIndex + 1 : null,
            ["steps"] = new JsonArray([.. (policy?.Steps ?? []).Select((step, i) => (JsonNode)new JsonObject
            {
                ["number"] = i + 1,
                ["step"] = step.ToString(),
                ["status"] = !s.InProgress ? "notRunning" : i < s.StepIndex ? "completed" : i == s.StepIndex ? "current" : "pending",
            })]),
            ["pendingCommands"] = new JsonArray([.. rollout.PendingCommands.Select(p => (JsonNode)RolloutConfigMap.CommandJson(p))]),
            ["lastCompletedCommandId"] = rollout.LastCompletedCommandId,
            ["resourceVersion"] = rollout.ResourceVersion,
            ["state"] = JsonNode.Parse(RolloutStateJson.Serialize(s)),
            ["recording"] = MeasurementRecording.FromState(rollout.Model, rollout.Environment, s).ToJson(),
        };
        return json;
    }
}
