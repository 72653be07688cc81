using System.Collections.Immutable;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;

namespace GitOps.GitHub.Checks;

/// <summary>
/// The <c>gitops / plan</c> check run: the markdown plan of every environment (the same text as
/// <c>gitops plan --all --format markdown</c>) as its summary. <c>failure</c> when an environment cannot be planned,
/// <c>skipped</c> when validation errors kept the plan from being computed, <c>success</c> otherwise.
/// </summary>
public static class PlanCheck
{
    public const string Name = "gitops / plan";

    public static CheckRunContent Build(RepositoryPlan plan, string? source = null)
    {
        var changed = plan.Environments.Count(e => e.Plan.HasChanges);
        var failed = plan.Environments.Count(e => e.HasErrors);
        var title = failed > 0 ? $"{failed} of {plan.Environments.Length} environments cannot be planned"
            : changed == 0 ? "No changes"
            : $"Changes in {changed} of {plan.Environments.Length} environments";
        var prefix = source is null ? "" : $"> {source}\n\n";
        var summary = prefix + PlanMarkdown.Format(plan, GitHubLimits.CheckRunSummary - prefix.Length);
        return new CheckRunContent(Name, failed > 0 ? CheckConclusionKind.Failure : CheckConclusionKind.Success, title,
            GitHubLimits.Fit(summary, GitHubLimits.CheckRunSummary, "the plan"), ImmutableArray<CheckAnnotation>.Empty);
    }

    /// <summary>The plan check when validation errors kept the plan from being computed.</summary>
    public static CheckRunContent NotPlanned(int errors) => new(Name, CheckConclusionKind.Skipped, "Not planned: the specs have errors",
        $"The plan was not computed: the specs have {errors} error(s). Fix them (see the **{ValidationCheck.Name}** check) and push again.\n",
        ImmutableArray<CheckAnnotation>.Empty);
}
