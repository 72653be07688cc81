using System.Collections.Immutable;
using GitOps.Planning.Rendering;
using GitOps.Registry;
using GitOps.Registry.Promotion;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// Appends what the rollouts of a pass did to each environment's deploy history in its registry of record
/// (<c>registry/MODEL/events/ENV/</c>): a first version deployed, a version promoted to stable, a canary rolled back
/// by its analysis, or aborted by a person (with who). Written after the rollout state is saved, so a pass that lost
/// a race writes nothing; a store that does not answer costs the entry, never the pass (it is logged).
/// </summary>
public sealed class DeployHistoryWriter(Func<string, IArtifactStore> openStore, ILogger log)
{
    public async Task AppendAsync(EnvironmentSpec environment, string model, string commit, RolloutState state,
        IReadOnlyList<RolloutAction> actions, DateTimeOffset now, CancellationToken ct)
    {
        var events = Events(environment.Name, model, commit, state, actions, now);
        if (events.IsEmpty)
        {
            return;
        }
        try
        {
            var registry = new ModelRegistry(openStore(ModelVersions.ArtifactStore(environment)));
            foreach (var entry in events)
            {
                await registry.AppendEventAsync(entry, ct);                                            // I/O
            }
        }
        catch (Exception e) when (e is ArtifactStoreException or IOException or HttpRequestException or UnauthorizedAccessException)
        {
            log.LogWarning("{Environment}/{Model}: the deploy history could not be written ({Error}); {Count} entr{Plural} not recorded",
                environment.Name, model, e.Message, events.Length, events.Length == 1 ? "y" : "ies");
        }
    }

    /// <summary>Pure: the history entries of one model's rollout step, from its transitions and the state it left.</summary>
    public static ImmutableArray<RegistryEvent> Events(string environment, string model, string commit, RolloutState state,
        IReadOnlyList<RolloutAction> actions, DateTimeOffset now)
    {
        var events = ImmutableArray.CreateBuilder<RegistryEvent>();
        foreach (var action in actions)
        {
            switch (action)
            {
                case TransitionRecorded { Event: { Kind: RolloutEventKind.Deployed or RolloutEventKind.Promoted } e } when state.Stable is { } stable:
                    events.Add(Entry(e.Kind == RolloutEventKind.Deployed ? RegistryEventTypes.Deployed : RegistryEventTypes.Promoted,
                        stable, e.At, e.Actor, e.Message) with
                    {
                        Evidence = ImmutableSortedDictionary<string, string>.Empty.Add(EvidenceKeys.Analyses, Analyses(state)),
                    });
                    break;
                case RolledBack b:
                    var by = state.History.LastOrDefault(h => h.Kind == RolloutEventKind.RolledBack);
                    events.Add(Entry(by?.Actor is null ? RegistryEventTypes.RolledBack : RegistryEventTypes.Aborted,
                        b.Version, by?.At ?? now, by?.Actor, b.Reason));
                    break;
            }
        }
        return events.ToImmutable();

        static string Analyses(RolloutState state)
        {
            // The runs of the rollout that just finished: those started since its last Started event.
            var started = state.History.LastOrDefault(h => h.Kind == RolloutEventKind.Started)?.At;
            var runs = state.PastRuns.Where(r => started is null || r.StartedAt >= started).ToList();
            return runs.Count == 0 ? "none"
                : string.Join("; ", runs.Select(r => $"{r.Id} [{string.Join(", ", r.Metrics)}]: {r.Phase} ({r.Measurements.Length} measurement(s))"));
        }

        RegistryEvent Entry(string type, string version, DateTimeOffset at, string? actor, string reason) => new()
        {
            Type = type,
            Model = model,
            Environment = environment,
            Version = version,
            Commit = commit,
            At = at,
            By = actor ?? "reconciler",
            Reason = reason,
        };
    }
}
