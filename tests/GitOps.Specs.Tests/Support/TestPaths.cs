using GitOps.Testing.Golden;

namespace GitOps.Specs.Tests.Support;

/// <summary>Locates fixtures in the source tree, so golden files can be rewritten in place.</summary>
public static class TestPaths
{
    public static string RepoRoot => RepositoryPaths.Root;

    public static string ProjectDir { get; } = RepositoryPaths.Combine("tests", "GitOps.Specs.Tests");

    public static string TestData { get; } = Path.Combine(ProjectDir, "testdata");
}
