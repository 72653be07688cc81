using GitOps.Testing.Golden;

namespace GitOps.Policy.Tests.Support;

/// <summary>The repository checkout the tests run from, and this project's <c>testdata/</c> in it.</summary>
internal static class RepositoryRoot
{
    public static string Path => RepositoryPaths.Root;

    public static string TestData => RepositoryPaths.Combine("tests", "GitOps.Policy.Tests", "testdata");
}
