using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Planning.Experiments;
using GitOps.Registry;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GitOps.Cli.Experiments;

/// <summary>An experiment of the registry and its newest finished run.</summary>
public sealed record ExperimentRow(string Experiment, int Runs, string Run, string Model, string Environment, int Trials, int Completed,
    int Failed, int StoppedEarly, string? Best, string Objective, double? BestValue, DateTimeOffset FinishedAt);

public sealed record ExperimentList(string Store, ImmutableArray<ExperimentRow> Experiments);

/// <summary>One run with every trial's record, and the edit that makes the best trial the model's spec.</summary>
public sealed record ExperimentShow(string Store, ExperimentRecord Run, ImmutableArray<TrialRecord> Trials, string? Change, string? ChangeNote);

/// <summary>Trials side by side: each hyperparameter and metric a row, each trial a column.</summary>
public sealed record ExperimentComparison(string Store, string Experiment, string Run, string Objective, string? Best,
    ImmutableArray<TrialRecord> Trials, ImmutableArray<string> Hyperparameters, ImmutableArray<string> Metrics);

/// <summary>Reads what <c>gitops experiments</c> shows and draws it as tables (text) or JSON.</summary>
public sealed class ExperimentViews(bool color)
{
    public static async Task<ExperimentList> ListAsync(ExperimentRegistry registry, CancellationToken ct)
    {
        var rows = ImmutableArray.CreateBuilder<ExperimentRow>();
        foreach (var experiment in await registry.ExperimentsAsync(ct))
        {
            var runs = await registry.RunsAsync(experiment, ct);
            if (runs.IsEmpty || await registry.ReadRunAsync(experiment, runs[^1].Run, ct) is not { } run)
            {
                continue;
            }
            rows.Add(new ExperimentRow(experiment, runs.Length, run.Run, run.Model, run.Environment, run.Trials.Length,
                run.Trials.Count(t => t.Status == TrialStatuses.Completed), run.Trials.Count(t => t.Status == TrialStatuses.Failed),
                run.Trials.Count(t => t.Status == TrialStatuses.StoppedEarly), run.Best?.Trial, run.ObjectiveMetric, run.Best?.Value, run.FinishedAt));
        }
        return new ExperimentList(registry.Store.Root, rows.ToImmutable());
    }

    /// <summary>The newest run (or <paramref name="run"/>) of <paramref name="experiment"/> with its trials. With the
    /// repository's <paramref name="specs"/>, the change is computed against the model's spec as it is now.</summary>
    public static async Task<ExperimentShow> ShowAsync(ExperimentRegistry registry, string experiment, string? run, SpecSet? specs, CancellationToken ct)
    {
        var record = await RunOfAsync(registry, experiment, run, ct);
        var trials = ImmutableArray.CreateBuilder<TrialRecord>();
        foreach (var link in record.Trials)
        {
            trials.Add(await registry.ReadTrialAsync(experiment, record.Run, link.Trial, ct)
                       ?? throw new RegistryDataException($"'{registry.Store.Describe(link.Record)}' is linked from run {record.Run} but missing"));
        }
        var (change, note) = Change(record, specs?.Model(record.Model));
        return new ExperimentShow(registry.Store.Root, record, trials.ToImmutable(), change, note);
    }

    public static async Task<ExperimentComparison> CompareAsync(ExperimentRegistry registry, string experiment, string? run, IReadOnlyList<string> only, CancellationToken ct)
    {
        var shown = await ShowAsync(registry, experiment, run, null, ct);
        var trials = shown.Trials;
        if (only.Count > 0)
        {
            var names = trials.Select(t => t.Trial).ToList();
            var picked = ImmutableArray.CreateBuilder<TrialRecord>();
            foreach (var name in only)
            {
                // "3", "t03" and "fraud-sweep-t03" all name trial 3.
                var match = trials.FirstOrDefault(t => t.Trial == name || t.Trial.EndsWith("-" + name, StringComparison.Ordinal)
                    || int.TryParse(name.TrimStart('t'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && t.Number == n);
                if (match is null)
                {
                    var hint = Suggestions.DidYouMean(name, names) is { } typo ? $"; {typo}" : "";
                    throw new UserError($"run {shown.Run.Run} of '{experiment}' has no trial '{name}'{hint} (trials: {string.Join(", ", names)}).");
                }
                picked.Add(match);
            }
            trials = picked.ToImmutable();
        }
        return new ExperimentComparison(shown.Store, experiment, shown.Run.Run, shown.Run.ObjectiveMetric, shown.Run.Best?.Trial, trials,
            [.. trials.SelectMany(t => t.Hyperparameters.Keys).Distinct().Order(StringComparer.Ordinal)],
            [.. trials.SelectMany(t => t.Metrics.Keys).Distinct().OrderBy(m => m == shown.Run.ObjectiveMetric ? 0 : 1).ThenBy(m => m, StringComparer.Ordinal)]);
    }

    /// <summary>
    /// The <c>hyperparameters:</c> edit that makes the run's best trial the model's spec, against <paramref name="model"/>
    /// as it is now when known (else as the run recorded it), or a note saying why there is none.
    /// </summary>
    public static (string? Patch, string? Note) Change(ExperimentRecord run, ModelSpec? model)
    {
        if (run.Best is not { } best)
        {
            return (null, "no trial completed with the objective's metric, so there is no best trial");
        }
        if (model is null)
        {
            return run.HyperparametersPatch is { } recorded
                ? (recorded, null)
                : (null, $"the model's spec already had the hyperparameters of {best.Trial} when the run finished");
        }
        var trial = new PlannedTrial(0, best.Trial, best.Hyperparameters, model with
        {
            Spec = model.Spec with { Training = model.Spec.Training with { Hyperparameters = best.Hyperparameters } },
        }, best.Version);
        var change = HyperparametersChange.Between(model, trial);
        return change.IsEmpty
            ? (null, $"{model.Origin.File} already has the hyperparameters of {best.Trial}")
            : (change.Patch(), null);
    }

    public static string Json<T>(T view) => Encoding.UTF8.GetString(RegistryJson.Serialize(view)) + "\n";

    public string List(ExperimentList list)
    {
        if (list.Experiments.IsEmpty)
        {
            return $"No experiment has finished a run in {list.Store} yet: run one with 'gitops experiments run EXPERIMENT --env ENV'.\n";
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Experiment").AddColumn("Model").AddColumn("Env").AddColumn("Runs").AddColumn("Latest run").AddColumn("Trials")
            .AddColumn("Best").AddColumn("Objective").AddColumn("Finished");
        foreach (var row in list.Experiments)
        {
            table.AddRow(Markup.Escape(row.Experiment), Markup.Escape(row.Model), Markup.Escape(row.Environment), Number(row.Runs), row.Run,
                Markup.Escape(Counts(row.Completed, row.Failed, row.StoppedEarly)), Markup.Escape(row.Best ?? "-"),
                Markup.Escape(row.BestValue is { } v ? $"{row.Objective} {BestTrial.Format(v)}" : row.Objective), TextDrawing.Time(row.FinishedAt));
        }
        return Draw(table);
    }

    public string Show(ExperimentShow shown)
    {
        var r = shown.Run;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{r.Experiment} run {r.Run}: {r.Trials.Length} trial(s) of model {r.Model} in {r.Environment}, {Counts(shown.Trials.Count(t => t.Status == TrialStatuses.Completed), shown.Trials.Count(t => t.Status == TrialStatuses.Failed), shown.Trials.Count(t => t.Status == TrialStatuses.StoppedEarly))}\n");
        TextDrawing.Line(text, "search", $"{r.Method}, parallelism {r.Parallelism}, objective {r.Direction} {r.ObjectiveMetric}");
        TextDrawing.Line(text, "commit", r.Commit);
        TextDrawing.Line(text, "ran", $"{TextDrawing.Time(r.StartedAt)} to {TextDrawing.Time(r.FinishedAt)}");
        TextDrawing.Line(text, "best", r.Best is { } best ? $"{best.Trial} (version {best.Version}), {r.ObjectiveMetric} {BestTrial.Format(best.Value)}" : "none");
        if (r.Candidate is { } candidate)
        {
            TextDrawing.Line(text, "candidate", $"{r.Model} {candidate.Version}: {candidate.Verdict}");
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("#").AddColumn("Trial").AddColumn("Status").AddColumn("Hyperparameters").AddColumn(Markup.Escape(r.ObjectiveMetric))
            .AddColumn("Steps").AddColumn("Job").AddColumn("Took").AddColumn("Reason");
        foreach (var t in shown.Trials)
        {
            var status = t.Trial == r.Best?.Trial ? $"{t.Status} (best)" : t.Status;
            table.AddRow(Number(t.Number), Markup.Escape(t.Trial), Markup.Escape(status),
                Markup.Escape(string.Join(", ", t.Searched.Select(h => $"{h.Key}={h.Value}"))),
                t.ObjectiveValue is { } v ? BestTrial.Format(v) : "-",
                Markup.Escape(t.Progress.IsEmpty ? "-" : string.Join(" ", t.Progress.Select(p => BestTrial.Format(p.Value)))),
                Markup.Escape(t.Reused ? "(reused)" : t.Job), Took(t), Markup.Escape(t.Reason ?? ""));
        }
        var output = text + Draw(table);
        if (shown.Change is { } change)
        {
            output += $"To make {r.Best!.Trial} the model's spec (Git stays the truth), change its hyperparameters in a pull request:\n{change}";
        }
        else if (shown.ChangeNote is { } note)
        {
            output += $"No spec change: {note}.\n";
        }
        return output;
    }

    public string Compare(ExperimentComparison comparison)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("");
        foreach (var t in comparison.Trials)
        {
            table.AddColumn(Markup.Escape(t.Trial == comparison.Best ? $"{t.Trial} (best)" : t.Trial));
        }
        table.AddRow([Markup.Escape("status"), .. comparison.Trials.Select(t => Markup.Escape(t.Status))]);
        foreach (var name in comparison.Hyperparameters)
        {
            table.AddRow([Markup.Escape(name), .. comparison.Trials.Select(t => Markup.Escape(t.Hyperparameters.GetValueOrDefault(name) ?? "-"))]);
        }
        foreach (var metric in comparison.Metrics)
        {
            var label = metric == comparison.Objective ? $"{metric} (objective)" : metric;
            table.AddRow([Markup.Escape(label), .. comparison.Trials.Select(t => t.Metrics.TryGetValue(metric, out var v) ? BestTrial.Format(v) : "-")]);
        }
        table.AddRow(["steps", .. comparison.Trials.Select(t => Number(t.Progress.Length))]);
        return $"{comparison.Experiment} run {comparison.Run}, {comparison.Trials.Length} trial(s)\n" + Draw(table);
    }

    private static async Task<ExperimentRecord> RunOfAsync(ExperimentRegistry registry, string experiment, string? run, CancellationToken ct)
    {
        var experiments = await registry.ExperimentsAsync(ct);
        if (!experiments.Contains(experiment))
        {
            var hint = Suggestions.DidYouMean(experiment, experiments) is { } typo ? $"; {typo}" : "";
            throw new UserError($"experiment '{experiment}' has no finished run in {registry.Store.Root}{hint} " +
                                $"(experiments: {(experiments.IsEmpty ? "none" : string.Join(", ", experiments))}).");
        }
        var runs = await registry.RunsAsync(experiment, ct);
        if (runs.IsEmpty)
        {
            // Runs are logged before their experiment is indexed, so an indexed experiment without one is a damaged store.
            throw new RegistryDataException($"experiment '{experiment}' is in the experiment index '{registry.Store.Describe(RegistryLayout.ExperimentIndex)}', " +
                                            $"but its run log has no entry ('{registry.Store.Describe(new AppendOnlyLog(registry.Store, RegistryLayout.ExperimentRuns(experiment)).Key(1))}' " +
                                            "is missing); restore the registry folder from a backup or a version of the store");
        }
        var chosen = run ?? runs[^1].Run;
        if (!runs.Any(r => r.Run == chosen))
        {
            throw new UserError($"experiment '{experiment}' has no run '{chosen}' in {registry.Store.Root} (runs: {string.Join(", ", runs.Select(r => r.Run))}).");
        }
        return await registry.ReadRunAsync(experiment, chosen, ct)
               ?? throw new RegistryDataException($"'{registry.Store.Describe(RegistryLayout.ExperimentRecord(experiment, chosen))}' is listed in the run log but missing");
    }

    private static string Counts(int completed, int failed, int stopped) =>
        string.Create(CultureInfo.InvariantCulture, $"{completed} completed, {failed} failed, {stopped} stopped early");

    private static string Took(TrialRecord t) => t.Reused ? "-" : string.Create(CultureInfo.InvariantCulture, $"{(t.FinishedAt - t.StartedAt).TotalSeconds:F0} s");

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private string Draw(IRenderable renderable) => TextDrawing.Draw(renderable, color);
}
