namespace GitOps.Policy.Tests.Support;

/// <summary>Finds the repository checkout (the folder holding GitOps.sln) and this project's source folder.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string TestData => System.IO.Path.Combine(Path, "tests", "GitOps.Policy.Tests", "testdata");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GitOps.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"GitOps.sln not found above {AppContext.BaseDirectory}");
    }
}
