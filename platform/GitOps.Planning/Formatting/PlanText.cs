using System.Globalization;
using System.Text;
using GitOps.Planning.Diff;
using GitOps.Planning.Plans;

namespace GitOps.Planning.Formatting;

/// <summary>The plan as a readable table with per-object diffs, for a terminal (coloured by the painter it is given).</summary>
public static class PlanText
{

    public static string Format(RepositoryPlan plan, TextPainter? painter = null)
    {
        var writer = new StringWriter { NewLine = "\n" };
        Write(writer, plan, painter);
        return writer.ToString();
    }

    /// <summary>Writes what <see cref="Format"/> returns.</summary>
    public static void Write(TextWriter writer, RepositoryPlan plan, TextPainter? painter = null)
    {
        WriteHeader(writer, plan.Commit, painter);
        foreach (var env in plan.Environments)
        {
            WriteEnvironment(writer, env, painter);
        }
        WriteFooter(writer, plan.HasChanges);
    }

    /// <summary>
    /// The first line of the plan. With <see cref="WriteEnvironment"/> and <see cref="WriteFooter"/> a plan can be
    /// written one environment at a time, so that only one environment's objects are held at once.
    /// </summary>
    public static void WriteHeader(TextWriter writer, string commit, TextPainter? painter = null) =>
        writer.Write($"{(painter ?? PlainText.Painter)(TextStyle.Heading, $"Plan for commit {commit}")}\n");

    /// <summary>The section of one environment: counts, ML summary, the table of changes and each change's lines.</summary>
    public static void WriteEnvironment(TextWriter writer, EnvironmentPlan env, TextPainter? painter = null)
    {
        var paint = painter ?? PlainText.Painter;
        string C(TextStyle style, string text) => paint(style, text);
        var sb = new StringBuilder();
        sb.Append('\n');
        var p = env.Plan;
        sb.Append(C(TextStyle.Heading, $"Environment {env.Environment}"))
            .Append(env.Namespace.Length > 0 ? $" (namespace {env.Namespace})" : "")
            .Append($": {p.Count(ActionKind.Create)} to create, {p.Count(ActionKind.Update)} to update, {p.Count(ActionKind.Delete)} to delete, {p.Count(ActionKind.Unchanged)} unchanged\n");
        foreach (var d in env.Diagnostics)
        {
            sb.Append("  ").Append(C(TextStyle.Error, d.ToString())).Append('\n');
        }
        if (env.HasErrors)
        {
            sb.Append("  not planned: fix the errors above\n");
            writer.Write(sb);
            return;
        }
        AppendSummary(sb, env.Summary, C);
        var changes = p.Changes.ToList();
        if (changes.Count == 0)
        {
            sb.Append("\n  No changes. The cluster matches the commit.\n");
            writer.Write(sb);
            return;
        }
        sb.Append('\n');
        var rows = changes.Select(a => (Wave: Formats.Wave(a.Wave), Action: Formats.Action(a.Action), Object: a.Key.ToString(), a.Reason)).ToList();
        var w1 = Math.Max(4, rows.Max(r => r.Wave.Length));
        var w2 = Math.Max(6, rows.Max(r => r.Action.Length));
        var w3 = Math.Max(6, rows.Max(r => r.Object.Length));
        sb.Append("  ").Append("WAVE".PadRight(w1)).Append("  ").Append("ACTION".PadRight(w2)).Append("  ")
            .Append("OBJECT".PadRight(w3)).Append("  REASON\n");
        foreach (var (r, a) in rows.Zip(changes))
        {
            sb.Append("  ").Append(r.Wave.PadRight(w1)).Append("  ").Append(C(ColourOf(a.Action), r.Action.PadRight(w2))).Append("  ")
                .Append(r.Object.PadRight(w3)).Append("  ").Append(r.Reason).Append('\n');
        }
        foreach (var a in changes)
        {
            sb.Append('\n').Append("  ").Append(C(ColourOf(a.Action), $"{Formats.Symbol(a.Action)} {a.Key}")).Append('\n');
            if (a.Action == ActionKind.Create && ReferenceEquals(paint, PlainText.Painter))
            {
                // The YAML of a created object is most of a first deploy's plan: written in place, not as a text
                // split into a string per line.
                YamlWriter.AppendLines(sb, a.Desired, "      + ");
            }
            else
            {
                foreach (var line in Formats.DiffLines(a))
                {
                    var code = line.StartsWith('+') ? TextStyle.Added : line.StartsWith('-') ? TextStyle.Removed : line.StartsWith('~') ? TextStyle.Changed : TextStyle.Muted;
                    sb.Append("      ").Append(C(code, line)).Append('\n');
                }
            }
            // Written out in pieces of a few objects: a plan of thousands of objects is never held as one text, and a
            // console writer (which flushes every write) is not called for every line.
            if (sb.Length >= 32 * 1024)
            {
                writer.Write(sb);
                sb.Clear();
            }
        }
        writer.Write(sb);
    }

    /// <summary>The closing line: whether anything changes in any environment planned.</summary>
    public static void WriteFooter(TextWriter writer, bool hasChanges) =>
        writer.Write(hasChanges ? "\nChanges planned.\n" : "\nNo changes.\n");

    private static TextStyle ColourOf(ActionKind kind) => kind switch
    {
        ActionKind.Create => TextStyle.Added,
        ActionKind.Update => TextStyle.Changed,
        ActionKind.Delete => TextStyle.Removed,
        _ => TextStyle.Muted,
    };

    private static void AppendSummary(StringBuilder sb, MlSummary s, Func<TextStyle, string, string> c)
    {
        if (s.Models.Length > 0)
        {
            sb.Append("\n  Models\n");
            var (moving, unchanged) = Formats.Moving(s);
            var w = moving.Select(m => m.Model.Length).DefaultIfEmpty(0).Max();
            foreach (var m in moving)
            {
                sb.Append("    ").Append(m.Model.PadRight(w)).Append("  ").Append(Formats.Versions(m)).Append("  ")
                    .Append(m.Change).Append(": ").Append(m.Detail).Append('\n');
            }
            if (unchanged > 0)
            {
                sb.Append("    ").Append(c(TextStyle.Muted, Formats.Unchanged(unchanged, moving.Count))).Append('\n');
            }
        }
        if (s.Training.Length > 0)
        {
            sb.Append("\n  Training Jobs to start\n");
            foreach (var t in s.Training)
            {
                sb.Append("    ").Append(t.Model).Append(' ').Append(t.Version).Append(": ").Append(Formats.Training(t)).Append('\n');
            }
            sb.Append("    total: ").Append(Formats.Money(s.GpuHours)).Append(" GPU-hours at most, estimated cost ")
                .Append(Formats.Money(s.EstimatedCost)).Append('\n');
        }
        if (s.Rollouts.Length > 0)
        {
            sb.Append("\n  Rollouts\n");
            foreach (var r in s.Rollouts)
            {
                sb.Append("    ").Append(r.Model).Append(' ').Append(r.From).Append(" → ").Append(r.To).Append(": ")
                    .Append(Formats.Rollout(r)).Append('\n');
            }
        }
        if (s.Gates.Length > 0)
        {
            sb.Append("\n  Quality gates to check\n");
            foreach (var g in s.Gates)
            {
                sb.Append("    ").Append(g.Model).Append(' ').Append(g.Version).Append(": ").Append(g.Gate)
                    .Append(" (").Append(string.Join("; ", g.Rules)).Append(")\n");
            }
        }
        if (s.Warnings.Length > 0)
        {
            sb.Append("\n  Warnings\n");
            foreach (var w in s.Warnings)
            {
                sb.Append("    ").Append(c(TextStyle.Warning, "! " + w)).Append('\n');
            }
        }
    }
}

/// <summary>Wording shared by the text and markdown formats.</summary>
internal static class Formats
{
    public static string Action(ActionKind kind) => kind switch
    {
        ActionKind.Create => "create",
        ActionKind.Update => "update",
        ActionKind.Delete => "delete",
        _ => "unchanged",
    };

    public static string Wave(Wave wave) => wave switch
    {
        Plans.Wave.Config => "config",
        Plans.Wave.Training => "training",
        Plans.Wave.Serving => "serving",
        Plans.Wave.Routing => "routing",
        _ => "prune",
    };

    public static string Symbol(ActionKind kind) => kind switch
    {
        ActionKind.Create => "+",
        ActionKind.Update => "~",
        ActionKind.Delete => "-",
        _ => "=",
    };

    public static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Versions(ModelChange m) => $"{m.From ?? "(none)"} → {m.To ?? "(removed)"}";

    /// <summary>
    /// The models whose version moves (new, changed, removed), and how many keep theirs: a plan of thousands of
    /// models lists what happens, not everything that stays (the JSON format keeps every model).
    /// </summary>
    public static (List<ModelChange> Moving, int Unchanged) Moving(MlSummary s)
    {
        var moving = s.Models.Where(m => m.Change != "unchanged").ToList();
        return (moving, s.Models.Length - moving.Count);
    }

    /// <summary><c>2 models keep their current version</c>, or <c>1 other model keeps its current version</c>.</summary>
    public static string Unchanged(int unchanged, int moving) => unchanged == 1
        ? $"1 {(moving > 0 ? "other " : "")}model keeps its current version"
        : $"{unchanged.ToString("N0", CultureInfo.InvariantCulture)} {(moving > 0 ? "other " : "")}models keep their current version";

    public static string Training(TrainingStart t) =>
        t.Gpus > 0
            ? $"job {t.Job}, {t.Gpus} × {t.GpuResource} on pool {t.Pool}, timeout {t.Timeout}, {t.Retries} {(t.Retries == 1 ? "retry" : "retries")}, ≤ {Money(t.GpuHours)} GPU-hours, est. cost {Money(t.EstimatedCost)}"
            : $"job {t.Job}, CPU only, timeout {t.Timeout}, {t.Retries} {(t.Retries == 1 ? "retry" : "retries")}";

    public static string Rollout(RolloutStart r) =>
        $"{r.Strategy}{(r.Policy is null ? "" : $" (policy {r.Policy})")}, {r.State}: {string.Join(" → ", r.Steps)}";

    /// <summary>Diff lines of one action: YAML of created/deleted objects, field changes of updates.</summary>
    public static IEnumerable<string> DiffLines(PlanAction a) => a.Action switch
    {
        ActionKind.Create => YamlWriter.Write(a.Desired).TrimEnd('\n').Split('\n').Select(l => "+ " + l),
        ActionKind.Delete => [$"- {a.Key} (managed by gitops, no longer desired)"],
        _ => a.Diff.SelectMany(Change),
    };

    private static IEnumerable<string> Change(FieldChange c)
    {
        if (c.Before is null)
        {
            return Block("+", c.Path, c.After);
        }
        if (c.After is null)
        {
            return Block("-", c.Path, c.Before);
        }
        if (c.Before is System.Text.Json.Nodes.JsonValue && c.After is System.Text.Json.Nodes.JsonValue)
        {
            return [$"~ {c.Path}: {YamlWriter.Scalar(c.Before)} → {YamlWriter.Scalar(c.After)}"];
        }
        return [.. Block("-", c.Path, c.Before), .. Block("+", c.Path, c.After)];
    }

    private static IEnumerable<string> Block(string sign, string path, System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is System.Text.Json.Nodes.JsonValue or null)
        {
            return [$"{sign} {path}: {YamlWriter.Scalar(node)}"];
        }
        return new[] { $"{sign} {path}:" }.Concat(YamlWriter.Write(node).TrimEnd('\n').Split('\n').Select(l => $"{sign}   {l}"));
    }
}
