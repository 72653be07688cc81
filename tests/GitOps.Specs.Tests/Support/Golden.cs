using Xunit;

namespace GitOps.Specs.Tests.Support;

/// <summary>Compares text with a golden file; <c>GITOPS_UPDATE_GOLDEN=1</c> rewrites the file instead.</summary>
public static class Golden
{
    public static bool Updating => Environment.GetEnvironmentVariable("GITOPS_UPDATE_GOLDEN") == "1";

    public static void Check(string path, string actual)
    {
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Updating)
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with GITOPS_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }
}
