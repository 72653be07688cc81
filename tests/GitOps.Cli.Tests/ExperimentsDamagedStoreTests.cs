using GitOps.Cli.Tests.Support;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary><c>gitops experiments</c> on a store whose registry files were damaged: a finding naming the file, not a
/// crash. Apart from <see cref="ExperimentsCommandTests"/>, whose shared run trains models.</summary>
public sealed class ExperimentsDamagedStoreTests : IDisposable
{
    private readonly DamagedStore _damaged = new();

    private string Store => _damaged.Root;

    public void Dispose() => _damaged.Dispose();

    private string Entry(string folder, string json) => _damaged.Entry(folder, json);

    [Fact]
    public async Task Should_Exit_1_Naming_The_Entry_File_When_An_Experiment_Index_Entry_Lacks_Its_Experiment()
    {
        // Given
        var file = Entry("registry/_experiments/_index", "{}");

        // When
        var result = await CliRunner.RunAsync("experiments", "list", "--store", Store);

        // Then
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: '{file}' is not a valid experiment index entry: required field(s) missing: 'experiment'", result.Stderr);
    }

    [Fact]
    public async Task Should_Exit_1_Naming_The_Entry_File_When_A_Run_Log_Entry_Has_A_Null_Run()
    {
        // Given
        Entry("registry/_experiments/_index", """{"experiment":"fraud-sweep"}""");
        var file = Entry("registry/_experiments/fraud-sweep/runs", """{"run":null,"finishedAt":"2026-11-30T12:00:00Z"}""");

        // When
        var result = await CliRunner.RunAsync("experiments", "list", "--store", Store);

        // Then
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: '{file}' is not a valid experiment run log entry: a required field is null (at $.run", result.Stderr);
    }

    [Fact]
    public async Task Should_Exit_1_Naming_The_Run_Log_When_An_Indexed_Experiment_Has_No_Run()
    {
        // Given an experiment in the index whose run log is gone
        Entry("registry/_experiments/_index", """{"experiment":"fraud-sweep"}""");

        // When
        var result = await CliRunner.RunAsync("experiments", "show", "fraud-sweep", "--store", Store);

        // Then
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"'{Path.Combine(Store, "registry", "_experiments", "fraud-sweep", "runs", "00000001.json")}' is missing", result.Stderr);
        Assert.DoesNotContain("internal error", result.Stderr);
    }
}
