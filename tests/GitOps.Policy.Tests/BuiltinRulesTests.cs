using System.Collections.Immutable;
using GitOps.Policy.BuiltinRules;
using GitOps.Specs.Model;
using static GitOps.Policy.Tests.TestSpecs;

namespace GitOps.Policy.Tests;

public sealed class BuiltinRulesTests
{
    private static readonly RolloutPolicySpec Canary = Rollout("canary", RolloutStrategies.Canary,
    [
        new RolloutStep { SetWeight = 10 },
        new RolloutStep { Analysis = ["errors"] },
        new RolloutStep { SetHeaderRoute = new HeaderRoute("beta", "X-Beta", "1") },
        new RolloutStep { SetWeight = 100 },
    ], Template("errors", "sum(rate(x{track=\"{{track}}\"}[1m]))"));

    private static readonly RolloutPolicySpec Direct = Rollout("direct", RolloutStrategies.Direct, []);

    private static ImmutableSortedDictionary<string, ModelOverride> Overrides(string env, ModelOverride o) =>
        ImmutableSortedDictionary<string, ModelOverride>.Empty.Add(env, o);

    private static IEnumerable<string> Ids(SpecSet specs) => BuiltinRuleSet.Check(specs).Select(d => d.Id);

    public sealed class TheCheckMethod
    {
        [Fact]
        public void Should_Accept_A_Header_Route_Step_When_The_Replicas_Environment_Overrides_The_Rollout()
        {
            // Given
            var dev = Environment("dev", e => e with { Router = TrafficRouters.Replicas });
            var model = Model("fraud", m => m with
            {
                Rollout = "canary",
                Serving = new ServingSpec { Replicas = 10 },
                Overrides = Overrides("dev", new ModelOverride { Rollout = "direct" }),
            });

            // When
            var ids = Ids(Set(dev, model, Canary, Direct));

            // Then
            Assert.Empty(ids);
        }

        [Fact]
        public void Should_Reject_A_Header_Route_Step_In_A_Replicas_Environment()
        {
            // Given
            var dev = Environment("dev", e => e with { Router = TrafficRouters.Replicas });
            var model = Model("fraud", m => m with { Rollout = "canary", Serving = new ServingSpec { Replicas = 10 } });

            // When
            var diagnostics = BuiltinRuleSet.Check(Set(dev, model, Canary)).ToList();

            // Then
            var d = Assert.Single(diagnostics);
            Assert.Equal(PolicyRuleIds.RolloutStepUnsupportedByRouter, d.Id);
            Assert.Contains("step 3 of RolloutPolicy 'canary' uses setHeaderRoute", d.Message);
        }

        [Fact]
        public void Should_Use_The_Gates_Of_The_Override_In_A_Promoted_Environment()
        {
            // Given
            var staging = Environment("staging");
            var prod = Environment("prod", e => e with { Promotion = new Promotion("staging", "1h") });
            var model = Model("fraud", m => m with
            {
                Environments = ["staging", "prod"],
                Gates = ["quality"],
                Overrides = Overrides("prod", new ModelOverride { Gates = [] }),
            });

            // When
            var ids = Ids(Set(staging, prod, model));

            // Then
            Assert.Equal([PolicyRuleIds.PromotedEnvironmentWithoutGates], ids);
        }

        [Fact]
        public void Should_Limit_The_Timeout_Of_A_Model_That_Uses_Gpus_Only_Through_An_Override()
        {
            // Given
            var prod = Environment("prod", e => e with { GpuPools = [new GpuPool { Name = "a100", Quota = 8 }] });
            var model = Model("fraud", m => m with
            {
                Environments = ["prod"],
                Training = m.Training with { Timeout = "36h" },
                Overrides = Overrides("prod", new ModelOverride { TrainingResources = new ResourceRequest { Gpus = 1, Pool = "a100" } }),
            });

            // When
            var ids = Ids(Set(prod, model));

            // Then
            Assert.Equal([PolicyRuleIds.GpuTrainingTimeoutTooLong], ids);
        }

        [Fact]
        public void Should_Accept_A_Gpu_Timeout_Of_Exactly_24_Hours()
        {
            // Given
            var prod = Environment("prod", e => e with { GpuPools = [new GpuPool { Name = "a100", Quota = 8 }] });
            var model = Model("fraud", m => m with
            {
                Environments = ["prod"],
                Training = m.Training with { Timeout = "1d", Resources = new ResourceRequest { Gpus = 1, Pool = "a100" } },
            });

            // When
            var ids = Ids(Set(prod, model));

            // Then
            Assert.Empty(ids);
        }

        [Theory]
        [InlineData(1, 40, true)]
        [InlineData(1, 50, false)]
        [InlineData(2, 25, false)]
        [InlineData(2, 1, false)]
        [InlineData(4, 10, false)]
        [InlineData(9, 5, false)]
        public void Should_Warn_When_A_Canary_Weight_Rounds_To_Zero_Pods(int replicas, int weight, bool warns)
        {
            // Given
            var dev = Environment("dev", e => e with { Router = TrafficRouters.Replicas });
            var rollout = Rollout("canary", RolloutStrategies.Canary, [new RolloutStep { SetWeight = weight }, new RolloutStep { SetWeight = 100 }]);
            var model = Model("fraud", m => m with { Rollout = "canary", Serving = new ServingSpec { Replicas = replicas } });

            // When
            var ids = Ids(Set(dev, model, rollout));

            // Then
            Assert.Equal(warns, ids.Contains(PolicyRuleIds.CanaryRoundsToZeroPods));
        }

        [Fact]
        public void Should_Count_The_Autoscaling_Minimum_Of_The_Override_As_The_Replicas()
        {
            // Given
            var dev = Environment("dev", e => e with { Router = TrafficRouters.Replicas });
            var rollout = Rollout("canary", RolloutStrategies.Canary, [new RolloutStep { SetWeight = 10 }]);
            var model = Model("fraud", m => m with
            {
                Rollout = "canary",
                Serving = new ServingSpec { Replicas = 20 },
                Overrides = Overrides("dev", new ModelOverride { Serving = new ServingSpec { Autoscaling = new Autoscaling(1, 10, 70) } }),
            });

            // When
            var diagnostics = BuiltinRuleSet.Check(Set(dev, model, rollout)).ToList();

            // Then
            var d = Assert.Single(diagnostics);
            Assert.Equal(PolicyRuleIds.CanaryRoundsToZeroPods, d.Id);
            Assert.StartsWith("model 'fraud' runs 1 replica(s)", d.Message);
        }

        [Fact]
        public void Should_Not_Require_Prometheus_For_A_Rollout_Without_Analysis()
        {
            // Given
            var dev = Environment("dev", e => e with { Prometheus = null });
            var model = Model("fraud", m => m with { Rollout = "direct" });

            // When
            var ids = Ids(Set(dev, model, Direct));

            // Then
            Assert.Empty(ids);
        }

        [Fact]
        public void Should_Skip_Environments_That_Do_Not_Exist()
        {
            // Given
            var model = Model("fraud", m => m with { Environments = ["nowhere"], Training = m.Training with { Image = "trainer:1" } });

            // When
            var ids = Ids(Set(model, Canary));

            // Then
            Assert.Empty(ids);
        }
    }
}
