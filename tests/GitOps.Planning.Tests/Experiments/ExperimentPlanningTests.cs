using System.Collections.Immutable;
using System.Globalization;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Experiments;

public sealed class ExperimentPlanningTests
{
    private static readonly EnvironmentSpec Staging = TestSpecs.Environment("staging");
    private static readonly ModelSpec Fraud = TestSpecs.Model("fraud", ["staging"]);

    private static ExperimentSpec Experiment(string method, int maxTrials, int seed = 0, params SearchParameter[] parameters) =>
        new(Metadata.Named("sweep"), SpecOrigin.InMemory("models/fraud/experiment.yaml"), new ExperimentBody
        {
            Model = "fraud",
            Search = new SearchSpace(method, [.. parameters], seed),
            Objective = new Objective("auc", "maximize"),
            MaxTrials = maxTrials,
            Parallelism = 2,
        });

    private static SearchParameter Values(string name, params string[] values) => new(name, [.. values], null, null, "linear");

    private static SearchParameter Range(string name, double min, double max, string scale = "linear") => new(name, [], min, max, scale);

    private static TrialState Succeeded(double auc, params double[] reports) => new(TrialPhase.Succeeded,
        [.. reports.Select((v, i) => new TrialReport(i + 1, v))], ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("auc", auc)]));

    private static TrialState Running(params double[] reports) => new(TrialPhase.Running,
        [.. reports.Select((v, i) => new TrialReport(i + 1, v))], ImmutableSortedDictionary<string, double>.Empty);

    public sealed class TheTrialPlanner
    {
        [Fact]
        public void Should_Plan_Every_Combination_With_The_Last_Parameter_Fastest_When_The_Search_Is_A_Grid()
        {
            // Given
            var experiment = Experiment("grid", 10, 0, Values("learningRate", "0.05", "0.1"), Values("numberOfTrees", "50", "100", "200"));

            // When
            var trials = TrialPlanner.Plan(experiment, Fraud, Staging);

            // Then
            Assert.Equal(6, trials.Length);
            Assert.Equal(["0.05/50", "0.05/100", "0.05/200", "0.1/50", "0.1/100", "0.1/200"],
                trials.Select(t => $"{t.Searched["learningRate"]}/{t.Searched["numberOfTrees"]}"));
            Assert.Equal(["sweep-t01", "sweep-t06"], new[] { trials[0].Name, trials[5].Name });
            Assert.Equal(6, trials.Select(t => t.Version).Distinct().Count());
        }

        [Fact]
        public void Should_Stop_At_Max_Trials_When_The_Grid_Is_Larger()
        {
            // Given
            var experiment = Experiment("grid", 4, 0, Values("learningRate", "0.05", "0.1"), Values("numberOfTrees", "50", "100", "200"));

            // When
            var trials = TrialPlanner.Plan(experiment, Fraud, Staging);

            // Then
            Assert.Equal(4, trials.Length);
        }

        [Fact]
        public void Should_Keep_The_Model_Hyperparameters_The_Search_Does_Not_Set_And_Version_Each_Trial_Like_A_Model()
        {
            // Given
            var experiment = Experiment("grid", 10, 0, Values("numberOfTrees", "50"));

            // When
            var trial = TrialPlanner.Plan(experiment, Fraud, Staging).Single();

            // Then
            Assert.Equal("0.1", trial.Hyperparameters["learningRate"]);
            Assert.Equal("50", trial.Hyperparameters["numberOfTrees"]);
            Assert.Equal(ModelVersions.Compute(trial.Model, Staging), trial.Version);
            Assert.NotEqual(ModelVersions.Compute(Fraud, Staging), trial.Version);
        }

        [Fact]
        public void Should_Plan_The_Same_Trials_When_The_Seed_Is_The_Same_And_Others_When_It_Differs()
        {
            // Given
            SearchParameter[] space = [Range("learningRate", 0.001, 0.3, "log"), Range("numberOfLeaves", 8, 64), Values("numberOfTrees", "50", "100", "200")];

            // When
            var first = TrialPlanner.Plan(Experiment("random", 8, 7, space), Fraud, Staging);
            var again = TrialPlanner.Plan(Experiment("random", 8, 7, space), Fraud, Staging);
            var other = TrialPlanner.Plan(Experiment("random", 8, 8, space), Fraud, Staging);

            // Then
            Assert.Equal(8, first.Length);
            Assert.Equal(first.Select(t => t.Version), again.Select(t => t.Version));
            Assert.NotEqual(first.Select(t => t.Version), other.Select(t => t.Version));
        }

        [Fact]
        public void Should_Draw_Within_The_Ranges_Whole_Numbers_For_Whole_Bounds_And_Log_Uniform_For_Log_Scale()
        {
            // Given
            var experiment = Experiment("random", 200, 3, Range("learningRate", 0.001, 0.3, "log"), Range("numberOfLeaves", 8, 64));

            // When
            var trials = TrialPlanner.Plan(experiment, Fraud, Staging);

            // Then
            var rates = trials.Select(t => double.Parse(t.Searched["learningRate"], CultureInfo.InvariantCulture)).ToList();
            var leaves = trials.Select(t => t.Searched["numberOfLeaves"]).ToList();
            Assert.All(rates, r => Assert.InRange(r, 0.001, 0.3));
            Assert.All(leaves, l => Assert.InRange(int.Parse(l, CultureInfo.InvariantCulture), 8, 64));
            // Log-uniform: about as many draws below the geometric mean (≈0.0173) as above; a linear draw would put ~94% above.
            Assert.InRange(rates.Count(r => r < Math.Sqrt(0.001 * 0.3)), 70, 130);
        }

        [Fact]
        public void Should_Never_Repeat_A_Trial_When_The_Discrete_Space_Is_Smaller_Than_Max_Trials()
        {
            // Given
            var experiment = Experiment("random", 10, 1, Values("numberOfTrees", "50", "100", "200"));

            // When
            var trials = TrialPlanner.Plan(experiment, Fraud, Staging);

            // Then
            Assert.Equal(["100", "200", "50"], trials.Select(t => t.Searched["numberOfTrees"]).Order(StringComparer.Ordinal));
        }
    }

    public sealed class TheTrialScheduler
    {
        private static readonly ImmutableArray<PlannedTrial> Six = TrialPlanner.Plan(
            Experiment("grid", 6, 0, Values("learningRate", "0.05", "0.1"), Values("numberOfTrees", "50", "100", "200")), Fraud, Staging);

        [Fact]
        public void Should_Start_Trials_In_Order_Up_To_Parallelism_When_None_Run()
        {
            // When
            var schedule = TrialScheduler.Decide(Six, new Dictionary<string, TrialState>(), 2, 0, null, 0, null, "maximize");

            // Then
            Assert.Equal(["sweep-t01", "sweep-t02"], schedule.Start.Select(t => t.Name));
            Assert.False(schedule.Finished);
            Assert.Contains("parallelism 2", schedule.Waiting);
        }

        [Fact]
        public void Should_Start_The_Next_Trial_When_One_Of_The_Running_Finishes()
        {
            // Given
            var states = new Dictionary<string, TrialState> { ["sweep-t01"] = Succeeded(0.9), ["sweep-t02"] = Running() };

            // When
            var schedule = TrialScheduler.Decide(Six, states, 2, 0, null, 0, null, "maximize");

            // Then
            Assert.Equal(["sweep-t03"], schedule.Start.Select(t => t.Name));
        }

        [Fact]
        public void Should_Hold_Trials_Back_When_The_Gpu_Quota_Would_Be_Exceeded()
        {
            // Given a pool of 8 GPUs, 4 held by another model's training, trials of 2 GPUs each, parallelism 4
            var states = new Dictionary<string, TrialState> { ["sweep-t01"] = Running() };

            // When
            var schedule = TrialScheduler.Decide(Six, states, 4, 2, 8, 4, null, "maximize");

            // Then: 4 + 2 running + 2 new = 8 fits, a third would need 10
            Assert.Equal(["sweep-t02"], schedule.Start.Select(t => t.Name));
            Assert.Contains("quota (8)", schedule.Waiting);
        }

        [Fact]
        public void Should_Be_Finished_When_Every_Trial_Succeeded_Failed_Or_Stopped()
        {
            // Given
            var states = Six.ToDictionary(t => t.Name, t => t.Number == 3 ? TrialState.Pending with { Phase = TrialPhase.Failed } : Succeeded(0.8));

            // When
            var schedule = TrialScheduler.Decide(Six, states, 2, 0, null, 0, null, "maximize");

            // Then
            Assert.True(schedule.Finished);
            Assert.Empty(schedule.Start);
        }

        [Fact]
        public void Should_Stop_A_Running_Trial_And_Free_Its_Slot_When_The_Median_Rule_Says_So()
        {
            // Given three completed trials and a running one far below their median
            var states = new Dictionary<string, TrialState>
            {
                ["sweep-t01"] = Succeeded(0.9, 0.80, 0.90),
                ["sweep-t02"] = Succeeded(0.9, 0.82, 0.90),
                ["sweep-t03"] = Succeeded(0.9, 0.84, 0.90),
                ["sweep-t04"] = Running(0.60, 0.61),
            };

            // When
            var schedule = TrialScheduler.Decide(Six, states, 1, 0, null, 0, new EarlyStopping("median", 3, 1), "maximize");

            // Then
            Assert.Equal("sweep-t04", Assert.Single(schedule.Stop).Trial.Name);
            Assert.Equal(["sweep-t05"], schedule.Start.Select(t => t.Name));
        }
    }

    public sealed class TheMedianStoppingRule
    {
        private static readonly ImmutableArray<TrialReport>[] Completed =
        [
            [new(1, 0.70), new(2, 0.80), new(3, 0.90)],
            [new(1, 0.72), new(2, 0.82), new(3, 0.92)],
            [new(1, 0.60), new(2, 0.70), new(3, 0.80)],
        ];

        [Fact]
        public void Should_Stop_When_The_Best_Value_Is_Below_The_Median_Of_Running_Averages()
        {
            // Given at step 2 the running averages are 0.75, 0.77, 0.65: median 0.75
            ImmutableArray<TrialReport> running = [new(1, 0.70), new(2, 0.74)];

            // When
            var verdict = MedianStoppingRule.Evaluate(running, Completed, "maximize", 3, 1);

            // Then
            Assert.True(verdict.Stop);
            Assert.Contains("best 0.74 by step 2 is worse than the median 0.75 of 3 completed trial(s)", verdict.Reason);
        }

        [Fact]
        public void Should_Keep_Running_When_The_Best_Value_Reaches_The_Median()
        {
            // When
            var verdict = MedianStoppingRule.Evaluate([new(1, 0.60), new(2, 0.75)], Completed, "maximize", 3, 1);

            // Then
            Assert.False(verdict.Stop);
        }

        [Fact]
        public void Should_Compare_The_Other_Way_When_The_Objective_Is_Minimized()
        {
            // When: losses; the median running average at step 1 is 0.70
            var worse = MedianStoppingRule.Evaluate([new(1, 0.71)], Completed, "minimize", 3, 1);
            var better = MedianStoppingRule.Evaluate([new(1, 0.65)], Completed, "minimize", 3, 1);

            // Then
            Assert.True(worse.Stop);
            Assert.False(better.Stop);
        }

        [Fact]
        public void Should_Not_Stop_Before_Enough_Trials_Completed_Or_Before_The_Start_Step()
        {
            // When
            var fewTrials = MedianStoppingRule.Evaluate([new(1, 0.1)], Completed, "maximize", 4, 1);
            var early = MedianStoppingRule.Evaluate([new(1, 0.1)], Completed, "maximize", 3, 2);

            // Then
            Assert.False(fewTrials.Stop);
            Assert.Contains("3 completed trial(s) reported by step 1, 4 needed", fewTrials.Reason);
            Assert.False(early.Stop);
        }
    }

    public sealed class TheBestTrial
    {
        private static readonly ImmutableArray<PlannedTrial> Three = TrialPlanner.Plan(
            Experiment("grid", 3, 0, Values("numberOfTrees", "50", "100", "200")), Fraud, Staging);

        [Fact]
        public void Should_Pick_The_Highest_Objective_And_Leave_Out_Trials_That_Did_Not_Succeed()
        {
            // Given
            var states = new Dictionary<string, TrialState>
            {
                ["sweep-t01"] = Succeeded(0.91),
                ["sweep-t02"] = Succeeded(0.93),
                ["sweep-t03"] = TrialState.Pending with { Phase = TrialPhase.Failed },
            };

            // When
            var selection = BestTrial.Select(Three, states, new Objective("auc", "maximize"));

            // Then
            Assert.Equal("sweep-t02", selection.Best!.Name);
            Assert.Equal(0.93, selection.Value);
            Assert.Equal(["sweep-t02", "sweep-t01"], selection.Ranking.Select(r => r.Trial.Name));
            Assert.Equal(("sweep-t03", "failed"), (selection.Excluded.Single().Trial.Name, selection.Excluded.Single().Reason));
        }

        [Fact]
        public void Should_Pick_The_Lowest_When_Minimizing_And_The_Earlier_Trial_On_A_Tie()
        {
            // Given
            var states = new Dictionary<string, TrialState> { ["sweep-t01"] = Succeeded(0.5), ["sweep-t02"] = Succeeded(0.2), ["sweep-t03"] = Succeeded(0.2) };

            // When
            var selection = BestTrial.Select(Three, states, new Objective("auc", "minimize"));

            // Then
            Assert.Equal("sweep-t02", selection.Best!.Name);
        }

        [Fact]
        public void Should_Say_Which_Metrics_There_Are_When_The_Objective_Metric_Is_Missing()
        {
            // Given
            var states = new Dictionary<string, TrialState> { ["sweep-t01"] = Succeeded(0.5) };

            // When
            var selection = BestTrial.Select(Three, states, new Objective("f1", "maximize"));

            // Then
            Assert.Null(selection.Best);
            Assert.Contains("metrics.json has no 'f1' (it has auc)", selection.Excluded[0].Reason);
        }
    }

    public sealed class TheHyperparametersChange
    {
        [Fact]
        public void Should_Print_The_Exact_Edit_Of_The_Hyperparameters_Block_When_A_Trial_Differs()
        {
            // Given
            var trial = TrialPlanner.Plan(Experiment("grid", 1, 0, Values("numberOfTrees", "50"), Values("numberOfLeaves", "16")), Fraud, Staging).Single();

            // When
            var change = HyperparametersChange.Between(Fraud, trial);

            // Then
            Assert.Equal([new HyperparameterDifference("numberOfLeaves", null, "16"), new HyperparameterDifference("numberOfTrees", "200", "50")], change.Differences.ToArray());
            Assert.Equal("""
                --- models/fraud/model.yaml
                +++ models/fraud/model.yaml
                   spec:
                     training:
                       hyperparameters:
                         learningRate: 0.1
                +        numberOfLeaves: 16
                -        numberOfTrees: 200
                +        numberOfTrees: 50

                """.Replace("\r\n", "\n", StringComparison.Ordinal), change.Patch());
        }

        [Fact]
        public void Should_Be_Empty_When_The_Trial_Has_The_Model_Hyperparameters()
        {
            // Given
            var trial = TrialPlanner.Plan(Experiment("grid", 1, 0, Values("numberOfTrees", "200")), Fraud, Staging).Single();

            // When
            var change = HyperparametersChange.Between(Fraud, trial);

            // Then
            Assert.True(change.IsEmpty);
        }
    }
}
