using GitOps.GitHub.Checks;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;

namespace GitOps.GitHub.Comments;

/// <summary>
/// The one plan comment of a pull request. It starts with <see cref="Marker"/>, a hidden HTML comment by which the
/// next run finds and edits it instead of adding a second one; the whole body stays under GitHub's 65,536-character
/// comment limit, with an explicit truncation note when the plan does not fit.
/// </summary>
public static class PlanComment
{
    public const string Marker = "<!-- gitops-plan -->";

    public static string Build(RepositoryPlan plan, string? source = null)
    {
        var head = $"{Marker}\n";
        var prefix = source is null ? "" : $"> {source}\n\n";
        var footer = $"\n<sub>Edited on every push by `gitops github pr-check`; the check runs **{ValidationCheck.Name}** and **{PlanCheck.Name}** hold the details.</sub>\n";
        var room = GitHubLimits.CommentBody - head.Length - prefix.Length - footer.Length;
        return GitHubLimits.Fit(head + prefix + PlanMarkdown.Format(plan, room) + footer, GitHubLimits.CommentBody, "the plan");
    }

    /// <summary>The comment when validation errors kept the plan from being computed.</summary>
    public static string NotPlanned(string commit, int errors) =>
        $"{Marker}\n### GitOps plan for `{commit}`\n\n❌ Not planned: the specs have {errors} error(s). "
        + $"They are annotated on their lines by the **{ValidationCheck.Name}** check; fix them and push again, and this comment will show the plan.\n";
}
