using System.Runtime;
using GitOps.Cli.Output;
using Xunit;

namespace GitOps.Cli.Tests.Output;

/// <summary>The collector's mode is the whole process's: these run alone, never beside another test.</summary>
[CollectionDefinition(nameof(PhaseMemoryTests), DisableParallelization = true)]
public sealed class PhaseMemoryCollection;

[Collection(nameof(PhaseMemoryTests))]
public sealed class PhaseMemoryTests
{
    private static bool InNoCollectionRegion => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    [Fact]
    public void Should_Validate_A_Small_Repository_With_Collections_As_Usual()
    {
        using (PhaseMemory.WithoutCollections(PhaseMemory.Worthwhile - 1))
        {
            Assert.False(InNoCollectionRegion);
        }
        Assert.False(InNoCollectionRegion);
    }

    [Fact]
    public void Should_Hold_Collections_While_A_Large_Repository_Validates_And_Resume_Them_After()
    {
        using (PhaseMemory.WithoutCollections(PhaseMemory.Worthwhile))
        {
            Assert.True(InNoCollectionRegion);
        }
        Assert.False(InNoCollectionRegion);
    }

    [Fact]
    public void Should_Go_On_With_Collections_When_Asked_For_A_Region_While_One_Is_Open()
    {
        // Two commands side by side in one process: asking for a second region ends the first (the runtime collects
        // and refuses), so both validate with collections as usual, and neither end throws.
        using (PhaseMemory.WithoutCollections(PhaseMemory.Worthwhile))
        {
            Assert.True(InNoCollectionRegion);
            using (PhaseMemory.WithoutCollections(PhaseMemory.Worthwhile))
            {
                Assert.False(InNoCollectionRegion);
            }
            Assert.False(InNoCollectionRegion);
        }
        Assert.False(InNoCollectionRegion);

        // ... and the next command gets its region again
        using (PhaseMemory.WithoutCollections(PhaseMemory.Worthwhile))
        {
            Assert.True(InNoCollectionRegion);
        }
    }

    [Fact]
    public void Should_End_Quietly_When_More_Was_Allocated_Than_Asked_For()
    {
        var region = PhaseMemory.WithoutCollections(PhaseMemory.Worthwhile);
        Assert.True(InNoCollectionRegion);
        // Far more than 500 files' worth: the runtime collects and the region ends on its own.
        var kept = new List<byte[]>();
        for (var i = 0; i < 400 && InNoCollectionRegion; i++)
        {
            kept.Add(new byte[1024 * 1024]);
        }
        Assert.False(InNoCollectionRegion);
        region.Dispose();
        Assert.False(InNoCollectionRegion);
        GC.KeepAlive(kept);
    }

    [Fact]
    public void Should_Collect_Once_A_Large_Phase_Ends()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);
        PhaseMemory.Release(PhaseMemory.Worthwhile);
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
    }
}
