using GitOps.Cli.Output;
using Xunit;

namespace GitOps.Cli.Tests.Output;

/// <summary>The collector's mode is the whole process's: these run alone, never beside another test.</summary>
[CollectionDefinition(nameof(PhaseMemoryTests), DisableParallelization = true)]
public sealed class PhaseMemoryCollection;

[Collection(nameof(PhaseMemoryTests))]
public sealed class PhaseMemoryTests
{
    [Fact]
    public void Should_Collect_Once_A_Large_Phase_Ends()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);
        PhaseMemory.Release(PhaseMemory.Worthwhile);
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
    }
}
