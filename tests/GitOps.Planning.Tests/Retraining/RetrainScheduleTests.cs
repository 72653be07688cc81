using System.Collections.Immutable;
using GitOps.Planning.Retraining;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Retraining;

public sealed class RetrainScheduleTests
{
    private static readonly DateTimeOffset Last = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private static ModelSpec Model(string? schedule, DriftTrigger? onDrift = null, string minInterval = "1d", DriftLimits? limits = null) =>
        TestSpecs.Model("fraud-detector", ["staging"], body => body with
        {
            Training = body.Training with
            {
                Retrain = new RetrainSpec { UriTemplate = "s3://data/fraud/{date}.csv", Schedule = schedule, OnDrift = onDrift, MinInterval = minInterval },
            },
            Monitoring = limits is null ? null : new MonitoringSpec { Drift = limits },
        });

    private static RetrainGeneration Generation(ModelSpec model, DateTimeOffset at) => RetrainGeneration.Initial(model, at);

    public sealed class TheDecideMethod
    {
        [Theory]
        [InlineData("7d", "2026-11-30T02:59:59Z", false)]
        [InlineData("7d", "2026-11-30T03:00:00Z", true)]
        [InlineData("12h", "2026-11-23T14:59:00Z", false)]
        [InlineData("12h", "2026-11-23T15:00:00Z", true)]
        [InlineData("0 4 * * 1", "2026-11-23T03:59:00Z", false)]
        [InlineData("0 4 * * 1", "2026-11-23T04:00:00Z", true)]
        [InlineData("0 3 * * 1", "2026-11-29T23:59:00Z", false)]
        [InlineData("0 3 * * 1", "2026-11-30T03:00:00Z", true)]
        public void Should_Be_Due_Exactly_When_The_Schedule_Has_Come_Since_The_Last_Generation(string schedule, string now, bool due)
        {
            // Given
            var model = Model(schedule);

            // When
            var decision = RetrainSchedule.Decide(model, Generation(model, Last), null, DateTimeOffset.Parse(now));

            // Then
            Assert.Equal(due, decision.Due);
            Assert.Equal(due ? RetrainReasons.Schedule : null, decision.Reason);
        }

        [Fact]
        public void Should_Say_Which_Schedule_And_When_The_Last_Retrain_Was_When_Due()
        {
            // Given
            var model = Model("7d");

            // When
            var decision = RetrainSchedule.Decide(model, Generation(model, Last), null, Last.AddDays(8));

            // Then
            Assert.Equal("schedule every 7d (last 2026-11-23 03:00Z)", decision.Detail);
            Assert.Equal(Last.AddDays(15), decision.NextScheduled);
        }

        [Fact]
        public void Should_Tell_The_Next_Scheduled_Time_When_Not_Due()
        {
            // Given
            var model = Model("7d");

            // When
            var decision = RetrainSchedule.Decide(model, Generation(model, Last), null, Last.AddDays(1));

            // Then
            Assert.False(decision.Due);
            Assert.Equal(Last.AddDays(7), decision.NextScheduled);
            Assert.Equal("next by schedule every 7d: 2026-11-30 03:00Z", decision.Detail);
        }

        [Theory]
        [InlineData(0.31, true)]
        [InlineData(0.2, false)]
        [InlineData(0.1, false)]
        public void Should_Retrain_On_Score_Drift_Over_The_Monitoring_Limit(double observed, bool due)
        {
            // Given
            var model = Model(null, new DriftTrigger(DriftTriggerMetrics.Score, null, null, "1h"),
                limits: new DriftLimits(0.25, ImmutableSortedDictionary<string, double>.Empty, 0.2, "30m"));

            // When
            var decision = RetrainSchedule.Decide(model, Generation(model, Last), new DriftObservation("abc", observed), Last.AddDays(2));

            // Then
            Assert.Equal(due, decision.Due);
            if (due)
            {
                Assert.Equal(RetrainReasons.Drift, decision.Reason);
                Assert.Equal("score drift 0.31 > 0.2 for 1h (version abc)", decision.Detail);
            }
        }

        [Fact]
        public void Should_Not_Retrain_On_Drift_Within_Min_Interval_Of_The_Last_Generation()
        {
            // Given
            var model = Model(null, new DriftTrigger(DriftTriggerMetrics.Score, null, 0.2, "1h"), minInterval: "2d");

            // When
            var early = RetrainSchedule.Decide(model, Generation(model, Last), new DriftObservation("abc", 0.5), Last.AddDays(1));
            var later = RetrainSchedule.Decide(model, Generation(model, Last), new DriftObservation("abc", 0.5), Last.AddDays(2));

            // Then
            Assert.False(early.Due);
            Assert.Contains("not before 2026-11-25 03:00Z", early.Detail);
            Assert.True(later.Due);
        }

        [Fact]
        public void Should_Not_Retrain_When_Drift_Was_Not_Measured()
        {
            // Given
            var model = Model(null, new DriftTrigger(DriftTriggerMetrics.Score, null, 0.2, "1h"));

            // When
            var none = RetrainSchedule.Decide(model, Generation(model, Last), null, Last.AddDays(5));
            var noData = RetrainSchedule.Decide(model, Generation(model, Last), new DriftObservation("abc", null), Last.AddDays(5));

            // Then
            Assert.False(none.Due);
            Assert.False(noData.Due);
            Assert.EndsWith("score drift not measured", noData.Detail);
        }

        [Fact]
        public void Should_Take_A_Feature_Limit_Over_The_Overall_Threshold()
        {
            // Given
            var limits = new DriftLimits(0.25, ImmutableSortedDictionary<string, double>.Empty.Add("amount", 0.4), 0.2, "30m");

            // When
            var amount = RetrainSchedule.Threshold(new DriftTrigger(DriftTriggerMetrics.Feature, "amount", null, "1h"), limits);
            var any = RetrainSchedule.Threshold(new DriftTrigger(DriftTriggerMetrics.Feature, null, null, "1h"), limits);
            var own = RetrainSchedule.Threshold(new DriftTrigger(DriftTriggerMetrics.Feature, "amount", 0.1, "1h"), limits);

            // Then
            Assert.Equal(0.4, amount);
            Assert.Equal(0.25, any);
            Assert.Equal(0.1, own);
        }
    }

    public sealed class TheDriftQuery
    {
        [Fact]
        public void Should_Take_The_Lowest_Over_The_Window_Of_The_Served_Version()
        {
            // When
            var score = RetrainQueries.Drift(new DriftTrigger(DriftTriggerMetrics.Score, null, null, "1h"), "ml", "fraud", "abc");
            var feature = RetrainQueries.Drift(new DriftTrigger(DriftTriggerMetrics.Feature, "amount", null, "30m"), "ml", "fraud", "abc");

            // Then
            Assert.Equal("min_over_time((max(gitops_score_drift_psi{namespace=\"ml\",model=\"fraud\",version=\"abc\"}))[1h:1m])", score);
            Assert.Equal("min_over_time((max(gitops_feature_drift_psi{namespace=\"ml\",model=\"fraud\",version=\"abc\",feature=\"amount\"}))[30m:1m])", feature);
        }
    }
}
