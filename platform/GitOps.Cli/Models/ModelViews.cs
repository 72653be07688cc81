using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using GitOps.Cli.Output;
using GitOps.Registry;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Specs.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GitOps.Cli.Models;

/// <summary>A model of the registry: its latest recorded version and what the named environment serves.</summary>
public sealed record ModelRow(string Model, int Versions, string? Latest, DateTimeOffset? RecordedAt, bool? Passed, string? Serving);

public sealed record ModelList(string Store, string? Environment, ImmutableArray<ModelRow> Models);

/// <summary>An environment serving a version as stable, since the deploy-history event that made it so.</summary>
public sealed record ServedIn(string Environment, string Version, DateTimeOffset Since, string Event);

public sealed record ModelShow(string Store, ModelRecord Record, ImmutableArray<ServedIn> Served);

public sealed record ModelHistory(string Store, string Model, string Environment, ImmutableArray<RegistryEvent> Events);

/// <summary>Reads what <c>gitops models</c> shows and draws it as tables (text) or JSON.</summary>
public sealed class ModelViews(bool color)
{
    public static async Task<ModelList> ListAsync(RegistryTarget target, CancellationToken ct)
    {
        var rows = ImmutableArray.CreateBuilder<ModelRow>();
        foreach (var model in await target.Registry.ModelsAsync(ct))
        {
            var versions = await target.Registry.VersionsAsync(model, ct);
            var latest = versions.IsEmpty ? null : versions[^1];
            var serving = target.Environment is { } env ? DeployHistory.Stable(await target.Registry.EventsAsync(model, env, ct))?.Version : null;
            rows.Add(new ModelRow(model, versions.Length, latest?.Version, latest?.RecordedAt, latest?.Passed, serving));
        }
        return new ModelList(target.Store.Root, target.Environment, rows.ToImmutable());
    }

    public static async Task<ModelShow> ShowAsync(RegistryTarget target, string model, string? version, CancellationToken ct)
    {
        await RequireModelAsync(target, model, ct);
        var versions = await target.Registry.VersionsAsync(model, ct);
        if (versions.IsEmpty)
        {
            // Versions are logged before their model is indexed, so an indexed model without one is a damaged store.
            throw new RegistryDataException($"model '{model}' is in the model index '{target.Store.Describe(RegistryLayout.ModelIndex)}', but its " +
                                            $"version log has no entry ('{target.Store.Describe(new AppendOnlyLog(target.Store, RegistryLayout.VersionIndex(model)).Key(1))}' " +
                                            "is missing); restore the registry folder from a backup or a version of the store");
        }
        var chosen = version ?? versions[^1].Version;
        if (!versions.Any(v => v.Version == chosen))
        {
            var hint = Suggestions.DidYouMean(chosen, versions.Select(v => v.Version)) is { } typo ? $"; {typo}" : "";
            throw new UserError($"model '{model}' has no recorded version '{chosen}' in {target.Store.Root}{hint} " +
                                $"(recorded: {string.Join(", ", versions.TakeLast(10).Select(v => v.Version))}).");
        }
        var record = await target.Registry.ReadAsync(model, chosen, ct)
                     ?? throw new RegistryDataException($"'{target.Store.Describe(RegistryLayout.Record(model, chosen))}' is listed in the version index but missing");
        var served = ImmutableArray.CreateBuilder<ServedIn>();
        foreach (var env in target.Environments.Union(target.Environment is { } named ? [named] : [], StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (DeployHistory.Stable(await target.Registry.EventsAsync(model, env, ct)) is { } stable && stable.Version == chosen)
            {
                served.Add(new ServedIn(env, chosen, stable.At, stable.Type));
            }
        }
        return new ModelShow(target.Store.Root, record, served.ToImmutable());
    }

    public static async Task<ModelHistory> HistoryAsync(RegistryTarget target, string model, string environment, CancellationToken ct)
    {
        await RequireModelAsync(target, model, ct);
        return new ModelHistory(target.Store.Root, model, environment, await target.Registry.EventsAsync(model, environment, ct));
    }

    public static string Json<T>(T view) => Encoding.UTF8.GetString(RegistryJson.Serialize(view)) + "\n";

    public string List(ModelList list)
    {
        if (list.Models.IsEmpty)
        {
            return $"No model is recorded in {list.Store} yet: a version is recorded when its training succeeds and its gates are evaluated.\n";
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Model").AddColumn("Versions").AddColumn("Latest").AddColumn("Recorded").AddColumn("Gates");
        if (list.Environment is { } env)
        {
            table.AddColumn($"Serving in {Markup.Escape(env)}");
        }
        foreach (var row in list.Models)
        {
            var cells = new List<string>
            {
                Markup.Escape(row.Model), row.Versions.ToString(CultureInfo.InvariantCulture), Markup.Escape(row.Latest ?? "-"),
                row.RecordedAt is { } at ? TextDrawing.Time(at) : "-", row.Passed is { } passed ? Verdict(passed) : "-",
            };
            if (list.Environment is not null)
            {
                cells.Add(Markup.Escape(row.Serving ?? "-"));
            }
            table.AddRow([.. cells]);
        }
        return Draw(table);
    }

    public string Show(ModelShow shown)
    {
        var r = shown.Record;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{r.Model} {r.Version}: gates {(r.Passed ? "passed" : "failed")}\n");
        TextDrawing.Line(text, "recorded", $"{TextDrawing.Time(r.RecordedAt)} by the {r.Environment} reconciler");
        TextDrawing.Line(text, "source", $"commit {r.Source.Commit}, spec sha256 {r.Source.SpecHash}");
        TextDrawing.Line(text, "dataset", $"{r.Dataset.Uri} sha256 {r.Dataset.Sha256} ({r.Dataset.Rows.ToString(CultureInfo.InvariantCulture)} rows)");
        TextDrawing.Line(text, "trainer", $"{r.Trainer.Image} ({r.Trainer.Name} {r.Trainer.Version})");
        TextDrawing.Line(text, "job", $"{r.Job.Name}, {TextDrawing.Time(r.Job.StartedAt)} to {TextDrawing.Time(r.Job.FinishedAt)}");
        TextDrawing.Line(text, "artifact", $"{r.Artifact.Uri} sha256 {r.Artifact.Sha256} ({r.Artifact.Bytes.ToString(CultureInfo.InvariantCulture)} bytes)");
        TextDrawing.Line(text, "metrics", string.Join(", ", r.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:G6}"))));
        TextDrawing.Line(text, "facts", string.Create(CultureInfo.InvariantCulture,
            $"size {r.Facts.SizeMb:G4} MB, latency p50 {r.Facts.LatencyP50Ms:G4} ms, p99 {r.Facts.LatencyP99Ms:G4} ms ({r.Facts.LatencyRuns} runs)"));
        if (r.Trial is { } trial)
        {
            TextDrawing.Line(text, "trial", $"{trial.Experiment}/{trial.Trial}: {string.Join(", ", trial.Hyperparameters.Select(h => $"{h.Key}={h.Value}"))}");
        }
        TextDrawing.Line(text, "served", shown.Served.IsEmpty
            ? "nowhere as stable"
            : string.Join("; ", shown.Served.Select(s => $"{s.Environment} (stable since {TextDrawing.Time(s.Since)}, {s.Event})")));
        TextDrawing.Line(text, "gates", r.Gates.Champion is { } champion ? $"compared with champion {champion}" : "no champion to compare with");
        var gates = new Table().Border(TableBorder.Rounded).AddColumn("Gate").AddColumn("Rule").AddColumn("Verdict").AddColumn("Values");
        foreach (var rule in r.Gates.Rules)
        {
            gates.AddRow(Markup.Escape(rule.Gate), Markup.Escape(rule.Rule), Verdict(rule.Passed), Markup.Escape(rule.Reason));
        }
        return text + (r.Gates.Rules.IsEmpty ? "" : Draw(gates));
    }

    public string History(ModelHistory history)
    {
        if (history.Events.IsEmpty)
        {
            return $"{history.Model} has no deploy history in {history.Environment} ({history.Store}).\n";
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("#").AddColumn("When").AddColumn("Event").AddColumn("Version").AddColumn("Commit").AddColumn("By").AddColumn("Outcome");
        var n = 0;
        foreach (var e in history.Events)
        {
            var evidence = e.Evidence.IsEmpty ? "" : " (" + string.Join(", ", e.Evidence.Select(x => $"{x.Key}: {x.Value}")) + ")";
            table.AddRow((++n).ToString(CultureInfo.InvariantCulture), TextDrawing.Time(e.At), Markup.Escape(e.Type), Markup.Escape(e.Version),
                Markup.Escape(e.Commit is { Length: > 12 } c ? c[..12] : e.Commit ?? "-"), Markup.Escape(e.By), Markup.Escape(e.Reason + evidence));
        }
        return Draw(table);
    }

    private static async Task RequireModelAsync(RegistryTarget target, string model, CancellationToken ct)
    {
        var models = await target.Registry.ModelsAsync(ct);
        if (!models.Contains(model))
        {
            var hint = Suggestions.DidYouMean(model, models) is { } typo ? $"; {typo}" : "";
            throw new UserError($"model '{model}' has no record in {target.Store.Root}{hint} " +
                                $"(recorded: {(models.IsEmpty ? "none" : string.Join(", ", models))}).");
        }
    }

    private string Verdict(bool passed) => color ? (passed ? "[green]passed[/]" : "[red]failed[/]") : passed ? "passed" : "failed";

    private string Draw(IRenderable renderable) => TextDrawing.Draw(renderable, color);
}
