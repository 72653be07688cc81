using System.Runtime.CompilerServices;

namespace GitOps.Specs.Tests.Support;

/// <summary>Locates fixtures next to the test sources, so golden files can be rewritten in place.</summary>
public static class TestPaths
{
    public static string ProjectDir { get; } = Path.GetFullPath(Path.Combine(SourceDir(), ".."));

    public static string TestData { get; } = Path.Combine(ProjectDir, "testdata");

    public static string RepoRoot { get; } = Path.GetFullPath(Path.Combine(ProjectDir, "..", ".."));

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
