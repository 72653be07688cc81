namespace GitOps.Policy.Tests.Support;

/// <summary>Compares text with a golden file; <c>GITOPS_UPDATE_GOLDEN=1</c> rewrites the file instead.</summary>
internal static class Golden
{
    public static void AssertMatches(string path, string actual)
    {
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("GITOPS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with GITOPS_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }
}
