using System.Globalization;
using System.Text;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs.Model;

namespace GitOps.Cli.Experiments;

/// <summary>
/// The experiment part of <c>gitops plan</c>: for each planned environment whose artifact store is on this machine
/// (a path or <c>file://</c> URI, or a local environment's state folder), the latest finished run of every experiment
/// of a model it serves, and the <c>hyperparameters:</c> change that makes the best trial the model's spec as it is
/// now. Remote stores are not read: a plan stays offline; <c>gitops experiments show --env</c> prints the same change.
/// </summary>
public static class PlanExperiments
{
    public sealed record Finding(string Environment, string Experiment, string Run, string Summary, string Patch);

    public static async Task<IReadOnlyList<Finding>> ReadAsync(string root, SpecSet specs, IReadOnlyList<string> environments, CancellationToken ct)
    {
        var findings = new List<Finding>();
        foreach (var name in environments)
        {
            if (specs.Environment(name) is not { } environment
                || environment.Spec.Cluster.Local is null && !ArtifactLocation.Parse(ModelVersions.ArtifactStore(environment)).IsLocal)
            {
                continue;
            }
            var experiments = specs.Experiments.Where(x => specs.Model(x.Spec.Model)?.Spec.Environments.Contains(name) == true).ToList();
            if (experiments.Count == 0)
            {
                continue;
            }
            try
            {
                using var target = RegistryTarget.Open(root, name, null);
                var registry = new ExperimentRegistry(target.Store);
                foreach (var experiment in experiments)
                {
                    if (await registry.LatestRunAsync(experiment.Name, ct) is not { Best: { } best } run || run.Environment != name)
                    {
                        continue;
                    }
                    var (patch, _) = ExperimentViews.Change(run, specs.Model(run.Model));
                    if (patch is not null)
                    {
                        findings.Add(new Finding(name, experiment.Name, run.Run, string.Create(CultureInfo.InvariantCulture,
                            $"best {best.Trial} ({run.ObjectiveMetric} {BestTrial.Format(best.Value)}) of {run.Trials.Length} trial(s)"), patch));
                    }
                }
            }
            catch (Exception e) when (e is UserError or ArtifactStoreException or RegistryDataException or IOException)
            {
                // A store that cannot be read has nothing to add to the plan; 'gitops experiments show' says why.
            }
        }
        return findings;
    }

    public static string Text(IReadOnlyList<Finding> findings)
    {
        var text = new StringBuilder();
        foreach (var f in findings)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nExperiment {f.Experiment} in {f.Environment} (run {f.Run}): {f.Summary}. To make it the model's spec:\n");
            foreach (var line in f.Patch.TrimEnd('\n').Split('\n'))
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }
        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<Finding> findings)
    {
        var text = new StringBuilder();
        foreach (var f in findings)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n#### Experiment `{f.Experiment}` in `{f.Environment}`\n\nRun `{f.Run}`: {f.Summary}. To make it the model's spec:\n\n```diff\n{f.Patch}```\n");
        }
        return text.ToString();
    }
}
