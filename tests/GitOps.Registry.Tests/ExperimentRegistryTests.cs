using System.Collections.Immutable;
using GitOps.Registry.Records;

namespace GitOps.Registry.Tests;

public sealed class ExperimentRegistryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    internal static TrialRecord Trial(int number, string status = TrialStatuses.Completed, double? value = 0.9) => new()
    {
        Experiment = "fraud-sweep",
        Run = "0a1b2c3d4e5f",
        Trial = $"fraud-sweep-t{number:00}",
        Number = number,
        Model = "fraud",
        Version = $"00000000000{number}",
        Searched = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("numberOfTrees", $"{number * 10}")]),
        Hyperparameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("numberOfTrees", $"{number * 10}")]),
        Status = status,
        Job = $"fraud-sweep-t{number:00}-000000",
        StartedAt = Start,
        FinishedAt = Start.AddMinutes(number),
        Metrics = value is { } v ? ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("auc", v)]) : ImmutableSortedDictionary<string, double>.Empty,
        ObjectiveMetric = "auc",
        ObjectiveValue = value,
        Progress = [new ObjectivePoint(1, 5, 0.8), new ObjectivePoint(2, 10, value ?? 0.8)],
    };

    internal static ExperimentRecord Run(string run = "0a1b2c3d4e5f") => new()
    {
        Experiment = "fraud-sweep",
        Run = run,
        Model = "fraud",
        Environment = "local",
        Commit = "abc",
        Method = "grid",
        ObjectiveMetric = "auc",
        Direction = "maximize",
        Parallelism = 2,
        Trials = [new TrialLink("fraud-sweep-t01", 1, "000000000001", TrialStatuses.Completed, 0.9, RegistryLayout.TrialRecord("fraud-sweep", run, "fraud-sweep-t01"))],
        Best = new BestTrialLink("fraud-sweep-t01", "000000000001", 0.9, ImmutableSortedDictionary<string, string>.Empty),
        Promote = "none",
        StartedAt = Start,
        FinishedAt = Start.AddMinutes(5),
    };

    public sealed class TheRecordTrialAsyncMethod : IDisposable
    {
        private readonly StoreFixture _f = new();

        public void Dispose() => _f.Dispose();

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_Keep_The_First_Record_When_A_Trial_Is_Recorded_Twice(string kind)
        {
            // Given
            var registry = new ExperimentRegistry(_f.Open(kind));
            await registry.RecordTrialAsync(Trial(1, value: 0.9), CancellationToken.None);

            // When
            var second = await registry.RecordTrialAsync(Trial(1, TrialStatuses.Failed, value: null), CancellationToken.None);
            var read = await registry.ReadTrialAsync("fraud-sweep", "0a1b2c3d4e5f", "fraud-sweep-t01", CancellationToken.None);

            // Then
            Assert.Equal(TrialStatuses.Completed, second.Status);
            Assert.Equal(0.9, read!.ObjectiveValue);
            Assert.Equal([1, 2], read.Progress.Select(p => p.Step));
        }
    }

    public sealed class TheRecordRunAsyncMethod : IDisposable
    {
        private readonly StoreFixture _f = new();

        public void Dispose() => _f.Dispose();

        [Theory]
        [InlineData(StoreFixture.File)]
        [InlineData(StoreFixture.Http)]
        public async Task Should_List_The_Experiment_Once_And_Every_Run_When_Runs_Are_Recorded(string kind)
        {
            // Given
            var registry = new ExperimentRegistry(_f.Open(kind));

            // When
            await registry.RecordRunAsync(Run("0a1b2c3d4e5f"), CancellationToken.None);
            await registry.RecordRunAsync(Run("0a1b2c3d4e5f"), CancellationToken.None);
            await registry.RecordRunAsync(Run("ffffffffffff"), CancellationToken.None);

            // Then
            Assert.Equal(["fraud-sweep"], (await registry.ExperimentsAsync(CancellationToken.None)).AsEnumerable());
            Assert.Equal(["0a1b2c3d4e5f", "ffffffffffff"], (await registry.RunsAsync("fraud-sweep", CancellationToken.None)).Select(r => r.Run));
            Assert.Equal("ffffffffffff", (await registry.LatestRunAsync("fraud-sweep", CancellationToken.None))!.Run);
            Assert.Null(await registry.LatestRunAsync("other", CancellationToken.None));
        }

        [Fact]
        public async Task Should_Read_Back_A_Run_Whose_Trial_Has_No_Objective_Value()
        {
            // Given a failed trial, whose objective value is left out of the file
            var registry = new ExperimentRegistry(_f.Open(StoreFixture.File));
            var run = Run() with { Trials = [new TrialLink("fraud-sweep-t01", 1, "000000000001", TrialStatuses.Failed, null, "r.json")], Best = null };
            await registry.RecordRunAsync(run, CancellationToken.None);

            // When
            var read = await registry.ReadRunAsync("fraud-sweep", run.Run, CancellationToken.None);

            // Then
            Assert.Null(read!.Trials[0].ObjectiveValue);
            Assert.Null(read.Best);
        }

        [Theory]
        [InlineData("registry/_experiments/_index/00000001.json", "{}", "experiment index entry: required field(s) missing: 'experiment'")]
        [InlineData("registry/_experiments/fraud-sweep/runs/00000001.json", """{"run":null,"finishedAt":"2026-11-30T12:05:00Z"}""", "experiment run log entry: a required field is null (at $.run")]
        public async Task Should_Name_The_Entry_File_When_A_Log_Entry_Lacks_A_Field(string key, string entry, string expected)
        {
            // Given
            var store = _f.Open(StoreFixture.File);
            var registry = new ExperimentRegistry(store);
            await registry.RecordRunAsync(Run(), CancellationToken.None);
            File.WriteAllText(Path.Combine(_f.Root, "store", key), entry);

            // When
            var error = await Assert.ThrowsAsync<RegistryDataException>(async () => await registry.RunsAsync((await registry.ExperimentsAsync(CancellationToken.None))[0], CancellationToken.None));

            // Then
            Assert.Contains($"'{store.Describe(key)}' is not a valid {expected}", error.Message);
        }

        [Fact]
        public async Task Should_Say_Which_File_Is_Damaged_When_A_Run_Record_Is_Not_Json()
        {
            // Given
            var store = _f.Open(StoreFixture.File);
            await store.CreateAsync(RegistryLayout.ExperimentRecord("fraud-sweep", "0a1b2c3d4e5f"), new MemoryStream("{not json"u8.ToArray()), "application/json", CancellationToken.None);

            // When
            var error = await Assert.ThrowsAsync<RegistryDataException>(() => new ExperimentRegistry(store).ReadRunAsync("fraud-sweep", "0a1b2c3d4e5f", CancellationToken.None));

            // Then
            Assert.Contains("registry/_experiments/fraud-sweep/0a1b2c3d4e5f/experiment.json", error.Message);
        }
    }
}
