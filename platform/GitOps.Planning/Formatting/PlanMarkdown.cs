using System.Text;
using GitOps.Planning.Plans;

namespace GitOps.Planning.Formatting;

/// <summary>
/// The plan as a pull-request comment: a summary table, then one collapsible section per environment with the ML
/// summary and a collapsible diff per changed object. The whole comment stays under <see cref="MaxLength"/>
/// characters (GitHub rejects longer ones); what does not fit is replaced by an explicit truncation note.
/// </summary>
public static class PlanMarkdown
{
    public const int MaxLength = 65_000;

    /// <summary>Room kept for the truncation note and the closing tags.</summary>
    private const int Reserve = 1_000;

    public static string Format(RepositoryPlan plan, int maxLength = MaxLength)
    {
        var budget = maxLength - Reserve;
        var sb = new StringBuilder();
        sb.Append($"### GitOps plan for `{plan.Commit}`\n\n");
        sb.Append("| Environment | Create | Update | Delete | Unchanged | Training Jobs | GPU-hours (max) | Est. cost |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var env in plan.Environments)
        {
            var p = env.Plan;
            sb.Append(env.HasErrors
                ? $"| {Cell(env.Environment)} | ❌ not planned | | | | | | |\n"
                : $"| {Cell(env.Environment)} | {p.Count(ActionKind.Create)} | {p.Count(ActionKind.Update)} | {p.Count(ActionKind.Delete)} | {p.Count(ActionKind.Unchanged)} | {env.Summary.Training.Length} | {Formats.Money(env.Summary.GpuHours)} | {Formats.Money(env.Summary.EstimatedCost)} |\n");
        }
        sb.Append('\n').Append(plan.HasChanges ? "Changes planned.\n" : "**No changes.** Every environment matches the commit.\n");

        var omitted = 0;
        var total = 0;
        foreach (var env in plan.Environments)
        {
            var changes = env.Plan.Changes.ToList();
            total += changes.Count;
            var section = new StringBuilder();
            section.Append($"\n<details><summary><b>{Html(env.Environment)}</b>: {env.Plan.Count(ActionKind.Create)} create, {env.Plan.Count(ActionKind.Update)} update, {env.Plan.Count(ActionKind.Delete)} delete</summary>\n\n");
            foreach (var d in env.Diagnostics)
            {
                section.Append($"- ❌ `{d}`\n");
            }
            AppendSummary(section, env.Summary);
            if (sb.Length + section.Length > budget)
            {
                omitted += changes.Count;
                sb.Append($"\n**{Html(env.Environment)}**: summary not shown (comment size limit).\n");
                continue;
            }
            sb.Append(section);
            if (changes.Count > 0)
            {
                sb.Append("\n**Objects**\n");
            }
            foreach (var a in changes)
            {
                var block = new StringBuilder();
                block.Append($"\n<details><summary><code>{Formats.Action(a.Action)}</code> {Html(a.Key.ToString())}: {Html(a.Reason)}</summary>\n\n```diff\n");
                foreach (var line in Formats.DiffLines(a))
                {
                    block.Append(line.Replace("```", "` ` `", StringComparison.Ordinal)).Append('\n');
                }
                block.Append("```\n</details>\n");
                if (sb.Length + block.Length > budget - 20)
                {
                    omitted++;
                    continue;
                }
                sb.Append(block);
            }
            sb.Append("\n</details>\n");
        }
        if (omitted > 0)
        {
            sb.Append($"\n> **Truncated:** {omitted} of {total} object diffs are not shown to keep this comment under {maxLength:N0} characters. Run `gitops plan --all --live <file>` locally for the full plan.\n");
        }
        return sb.ToString();
    }

    private static void AppendSummary(StringBuilder sb, MlSummary s)
    {
        if (s.Models.Length > 0)
        {
            var (moving, unchanged) = Formats.Moving(s);
            if (moving.Count > 0)
            {
                sb.Append("| Model | Version | Change |\n|---|---|---|\n");
                foreach (var m in moving)
                {
                    sb.Append($"| {Cell(m.Model)} | `{m.From ?? "(none)"}` → `{m.To ?? "(removed)"}` | {Cell(m.Change)}: {Cell(m.Detail)} |\n");
                }
            }
            if (unchanged > 0)
            {
                sb.Append(moving.Count > 0 ? "\n" : "").Append(Formats.Unchanged(unchanged, moving.Count)).Append(".\n");
            }
        }
        if (s.Training.Length > 0)
        {
            sb.Append("\n**Training Jobs to start**\n\n| Model | Version | GPUs | Pool | Timeout | Retries | GPU-hours (max) | Est. cost |\n|---|---|---:|---|---|---:|---:|---:|\n");
            foreach (var t in s.Training)
            {
                sb.Append($"| {Cell(t.Model)} | `{t.Version}` | {t.Gpus} | {Cell(t.Pool ?? "-")} | {Cell(t.Timeout)} | {t.Retries} | {Formats.Money(t.GpuHours)} | {Formats.Money(t.EstimatedCost)} |\n");
            }
        }
        if (s.Rollouts.Length > 0)
        {
            sb.Append("\n**Rollouts**\n\n");
            foreach (var r in s.Rollouts)
            {
                sb.Append($"- {Html(r.Model)} `{r.From}` → `{r.To}`: {Html(Formats.Rollout(r))}\n");
            }
        }
        if (s.Gates.Length > 0)
        {
            sb.Append("\n**Quality gates to check**\n\n");
            foreach (var g in s.Gates)
            {
                sb.Append($"- {Html(g.Model)} `{g.Version}`: **{Html(g.Gate)}**: {string.Join("; ", g.Rules.Select(r => $"`{r.Replace("`", "'", StringComparison.Ordinal)}`"))}\n");
            }
        }
        foreach (var w in s.Warnings)
        {
            sb.Append($"\n> ⚠️ {Html(w)}\n");
        }
    }

    private static string Cell(string text) => Html(text).Replace("|", "\\|", StringComparison.Ordinal);

    private static string Html(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
