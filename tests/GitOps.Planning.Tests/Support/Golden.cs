using System.Runtime.CompilerServices;

namespace GitOps.Planning.Tests.Support;

/// <summary>Compares text with a file under <c>testdata/</c>; with <c>GITOPS_UPDATE_GOLDEN=1</c> rewrites the file instead.</summary>
internal static class Golden
{
    public static string TestData([CallerFilePath] string here = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(here)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GitOps.Planning.Tests.csproj")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("test project folder not found"), "testdata");
    }

    public static bool Updating => Environment.GetEnvironmentVariable("GITOPS_UPDATE_GOLDEN") == "1";

    public static void AssertMatches(string path, string actual)
    {
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing: run the tests with GITOPS_UPDATE_GOLDEN=1 and review it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            var line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
            Assert.Fail($"{path} differs at line {line + 1}:\n  expected: {(line < e.Length ? e[line] : "<end>")}\n  actual:   {(line < a.Length ? a[line] : "<end>")}\n(run with GITOPS_UPDATE_GOLDEN=1 to accept)");
        }
    }
}
