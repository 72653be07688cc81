using GitOps.Specs.Tests.Support;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Valid_Repo_Loads()
    {
        var result = SpecValidator.Validate(RepositoryFiles.Read(Path.Combine(TestPaths.TestData, "valid")));
        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, result.Specs.Models.Length);
    }
}
