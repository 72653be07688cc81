using System.Text;
using GitOps.GitHub.Checks;
using GitOps.GitHub.Comments;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Specs;
using GitOps.Testing.Golden;

namespace GitOps.GitHub.Tests.Checks;

public sealed class CheckBodiesTests
{
    private const string Commit = "3f786850e387550fdab836ed7e6dc881de23001b";
    private const string Golden = "tests/GitOps.GitHub.Tests/testdata/golden";

    /// <summary>A small repository of the CLI's fixtures: one environment, one model, one warning.</summary>
    private static readonly string SmallRepository = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "warnings-only");

    private static RepositoryPlan SmallPlan()
    {
        var load = RepositoryValidator.Validate(SpecFileReader.Read(SmallRepository));
        Assert.False(load.HasErrors);
        return EnvironmentPlanner.Plan(load.Specs, [.. load.Specs.Environments.Select(e => e.Name)], RegistryFacts.Empty, new RenderContext(Commit), []);
    }

    private static string Render(CheckRunContent content)
    {
        var sb = new StringBuilder();
        sb.Append($"name: {content.Name}\nconclusion: {content.Conclusion}\ntitle: {content.Title}\n\n--- summary ---\n{content.Summary}\n--- annotations ---\n");
        foreach (var a in content.Annotations)
        {
            var columns = a.StartColumn is null ? "" : $":{a.StartColumn}-{a.EndColumn}";
            sb.Append($"{a.Level} {a.Path}:{a.StartLine}-{a.EndLine}{columns} [{a.Title}] {a.Message}\n");
        }
        return sb.ToString();
    }

    [Fact]
    public void Should_Match_The_Golden_Validate_Check_When_The_Specs_Have_Errors()
    {
        // Given the CLI's broken repository fixture
        var load = RepositoryValidator.Validate(SpecFileReader.Read(RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "broken-repo")));

        // When
        var content = ValidationCheck.Build(load.Diagnostics, files: 5, specs: load.Specs.All.Count());

        // Then
        Assert.Equal(CheckConclusionKind.Failure, content.Conclusion);
        Assert.Equal(load.Diagnostics.Length, content.Annotations.Length);
        GoldenFile.AssertMatches($"{Golden}/validate-check.broken-repo.txt", Render(content));
    }

    [Fact]
    public void Should_Match_The_Golden_Plan_Check_And_Comment_For_A_Small_Repository()
    {
        // Given
        var plan = SmallPlan();

        // When
        var check = PlanCheck.Build(plan, "Planned against an empty cluster.");
        var comment = PlanComment.Build(plan, "Planned against an empty cluster.");

        // Then
        Assert.StartsWith(PlanComment.Marker + "\n", comment);
        GoldenFile.AssertMatches($"{Golden}/plan-check.small-repo.txt", Render(check));
        GoldenFile.AssertMatches($"{Golden}/plan-comment.small-repo.md", comment);
    }

    [Fact]
    public void Should_Stay_Under_The_Comment_Limit_With_A_Truncation_Note_When_The_Plan_Is_Huge()
    {
        // Given a plan whose markdown is far longer than a comment may be
        var plan = SmallPlan();
        var huge = plan with { Environments = [.. Enumerable.Repeat(plan.Environments, 400).SelectMany(e => e)] };

        // When
        var comment = PlanComment.Build(huge);
        var check = PlanCheck.Build(huge);

        // Then
        Assert.True(comment.Length < GitHubLimits.CommentBody, $"{comment.Length} characters");
        Assert.True(check.Summary.Length <= GitHubLimits.CheckRunSummary, $"{check.Summary.Length} characters");
        Assert.Contains("**Truncated:**", comment);
        Assert.StartsWith(PlanComment.Marker, comment);
    }

    [Fact]
    public void Should_Cut_At_A_Line_And_Say_So_When_Text_Exceeds_A_Limit()
    {
        // Given
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));

        // When
        var fitted = GitHubLimits.Fit(text, 5000, "the plan");

        // Then
        Assert.True(fitted.Length <= 5000);
        Assert.Contains("> **Truncated:** the plan was cut to stay under GitHub's limit of 5,000 characters.", fitted);
        Assert.Equal(text, GitHubLimits.Fit(text, text.Length));
    }
}
