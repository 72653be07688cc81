using Xunit;

namespace GitOps.Testing.Golden;

/// <summary>
/// Compares output with an expected file kept next to the tests. With <c>GITOPS_UPDATE_GOLDEN=1</c> the expected file is
/// rewritten instead (review the diff like code).
/// </summary>
public static class GoldenFile
{
    public static bool Updating => Environment.GetEnvironmentVariable("GITOPS_UPDATE_GOLDEN") == "1";

    /// <summary><paramref name="expectedPath"/> is absolute, or relative to <see cref="RepositoryPaths.Root"/>.</summary>
    public static void AssertMatches(string expectedPath, string actual)
    {
        var path = Path.IsPathRooted(expectedPath) ? expectedPath : Path.Combine(RepositoryPaths.Root, expectedPath);
        actual = actual.Replace("\r\n", "\n");
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with GITOPS_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            var i = 0;
            while (i < Math.Min(e.Length, a.Length) && e[i] == a[i])
            {
                i++;
            }
            var want = i < e.Length ? e[i] : "<end of file>";
            var got = i < a.Length ? a[i] : "<end of output>";
            Assert.Fail($"output differs from {path} at line {i + 1}:\n  expected: {want}\n  actual:   {got}\n(GITOPS_UPDATE_GOLDEN=1 rewrites the golden file)");
        }
    }
}

/// <summary>Locates the repository checkout the tests run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOps.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"GitOps.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
