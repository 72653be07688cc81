using System.Collections.Immutable;
using System.Text;
using GitOps.Cli.Commands;
using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Specs.Model;

namespace GitOps.Cli.Retraining;

/// <summary>
/// The retraining part of <c>gitops plan</c>: one line per model with <c>spec.training.retrain</c> in each planned
/// environment. For a local environment the plan reads the generations its state folder records (the facts
/// <c>gitops up</c> keeps) and says which one is trained and when the schedule makes the next one due; a Kubernetes
/// environment's facts are in its cluster, which a plan does not read (it stays offline): it shows what is declared,
/// and <c>gitops status</c> shows what the reconciler recorded.
/// </summary>
public static class PlanRetraining
{
    public sealed record Section(string Environment, ImmutableArray<string> Lines);

    public static async Task<IReadOnlyList<Section>> ReadAsync(string root, SpecSet specs, IReadOnlyList<string> environments, DateTimeOffset now, CancellationToken ct)
    {
        var sections = new List<Section>();
        foreach (var name in environments)
        {
            if (specs.Environment(name) is not { } environment)
            {
                continue;
            }
            var models = specs.Models.Where(m => m.Spec.Training.Retrain is not null && m.Spec.Environments.Contains(name))
                .OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
            if (models.Count == 0)
            {
                continue;
            }
            var source = environment.Spec.Promotion?.From;
            var recorded = await RecordedAsync(root, specs.Environment(source ?? name), ct);
            var lines = models.Select(m =>
            {
                var line = RetrainPlanLines.Line(m, recorded.GetValueOrDefault(m.Name), now);
                return source is null ? line : $"{line} (follows {source} by promotion)";
            });
            sections.Add(new Section(name, [.. lines]));
        }
        return sections;
    }

    /// <summary>The generations a local environment's state folder records; none for a Kubernetes environment or a
    /// state that cannot be read (a plan has nothing to add then).</summary>
    private static async Task<IReadOnlyDictionary<string, RetrainGeneration>> RecordedAsync(string root, EnvironmentSpec? environment, CancellationToken ct)
    {
        if (environment?.Spec.Cluster.Local is null)
        {
            return ImmutableDictionary<string, RetrainGeneration>.Empty;
        }
        try
        {
            var stored = await new LocalRegistryFactStore(LocalEnvironment.StateOf(root, environment)).ReadAsync(environment.Name, ct);
            return stored?.Facts.Retrains ?? ImmutableSortedDictionary<string, RetrainGeneration>.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ImmutableDictionary<string, RetrainGeneration>.Empty;
        }
    }

    public static string Text(IReadOnlyList<Section> sections)
    {
        var text = new StringBuilder();
        foreach (var section in sections)
        {
            text.Append('\n').Append("Retraining in ").Append(section.Environment).Append(":\n");
            foreach (var line in section.Lines)
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }
        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<Section> sections)
    {
        var text = new StringBuilder();
        foreach (var section in sections)
        {
            text.Append("\n#### Retraining in `").Append(section.Environment).Append("`\n\n");
            foreach (var line in section.Lines)
            {
                text.Append("- ").Append(line).Append('\n');
            }
        }
        return text.ToString();
    }
}
