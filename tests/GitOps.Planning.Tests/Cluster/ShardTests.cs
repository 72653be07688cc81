using System.Globalization;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Monitoring;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Cluster;

public sealed class ShardTests
{
    private static readonly string[] Names = [.. Enumerable.Range(0, 1000).Select(i => $"model-{i.ToString(CultureInfo.InvariantCulture)}")];

    public sealed class Parse
    {
        [Theory]
        [InlineData("1/1", 1, 1)]
        [InlineData("2/3", 2, 3)]
        [InlineData(" 64/64 ", 64, 64)]
        public void Should_Read_K_Of_N(string text, int number, int count)
        {
            // When
            var shard = Shard.Parse(text, out var problem);

            // Then
            Assert.Null(problem);
            Assert.Equal(new Shard(number, count), shard);
        }

        [Theory]
        [InlineData("2", "'2' is not K/N; use e.g. 1/3 for the first of three shards")]
        [InlineData("a/3", "'a/3' is not K/N; use e.g. 1/3 for the first of three shards")]
        [InlineData("-1/3", "'-1/3' is not K/N; use e.g. 1/3 for the first of three shards")]
        [InlineData("0/3", "'0/3' names shard 0 of 3; shards are numbered from 1 to 3")]
        [InlineData("4/3", "'4/3' names shard 4 of 3; shards are numbered from 1 to 3")]
        [InlineData("1/0", "'1/0' asks for 0 shards; use from 1 to 64")]
        [InlineData("1/65", "'1/65' asks for 65 shards; use from 1 to 64")]
        public void Should_Say_What_Is_Wrong_When_It_Is_Not_K_Of_N(string text, string expected)
        {
            // When
            var shard = Shard.Parse(text, out var problem);

            // Then
            Assert.Null(shard);
            Assert.Equal(expected, problem);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Should_Give_Every_Model_To_Exactly_One_Shard(int count)
    {
        // Given
        var shards = Enumerable.Range(1, count).Select(k => new Shard(k, count)).ToList();

        // Then
        Assert.All(Names, name => Assert.Single(shards, s => s.OwnsModel(name)));
    }

    [Fact]
    public void Should_Spread_Models_Evenly_When_Names_Differ_By_A_Number()
    {
        // When 1,000 names are shared by 4 shards
        var sizes = Enumerable.Range(1, 4).Select(k => Names.Count(new Shard(k, 4).OwnsModel)).ToList();

        // Then each gets a quarter, give or take a fifth of it
        Assert.All(sizes, size => Assert.InRange(size, 200, 300));
    }

    [Fact]
    public void Should_Place_A_Model_The_Same_Way_In_Every_Process()
    {
        // The hash is FNV-1a of the name, not the runtime's per-process string hash: a model never moves between
        // shards when a reconciler restarts or is upgraded. These values pin it.
        Assert.Equal(3, new Shard(1, 4).Of("fraud-detector"));
        Assert.Equal(1, new Shard(1, 4).Of("churn-predictor"));
        Assert.Equal(1, Shard.Whole.Of("fraud-detector"));
    }

    [Fact]
    public void Should_Keep_The_Names_Of_A_Reconciler_That_Is_Not_Sharded()
    {
        Assert.Equal("", Shard.Whole.NameSuffix);
        Assert.Equal("-shard-2-of-3", new Shard(2, 3).NameSuffix);
        Assert.Equal("2/3", new Shard(2, 3).ToString());
        Assert.True(new Shard(1, 3).OwnsObject(null));
        Assert.False(new Shard(2, 3).OwnsObject(null));
    }

    [Fact]
    public void Should_Keep_Only_Its_Models_And_Their_Experiments_When_Selecting_Specs()
    {
        // Given the example repository, with an experiment on each model
        var specs = TestSpecs.Repository();
        specs = specs with
        {
            Experiments = [.. specs.Models.Select(m => new ExperimentSpec(m.Metadata with { Name = m.Name + "-sweep" }, m.Origin,
                new ExperimentBody { Model = m.Name, Search = null!, Objective = null! }))],
        };

        // When it is split in two
        var parts = new[] { new Shard(1, 2), new Shard(2, 2) }.Select(s => (Shard: s, Specs: s.Select(specs))).ToList();

        // Then the models and experiments are partitioned, and everything else is kept whole
        Assert.Equal(specs.Models.Select(m => m.Name).Order(StringComparer.Ordinal),
            parts.SelectMany(p => p.Specs.Models.Select(m => m.Name)).Order(StringComparer.Ordinal));
        Assert.All(parts, p => Assert.All(p.Specs.Models, m => Assert.True(p.Shard.OwnsModel(m.Name))));
        Assert.All(parts, p => Assert.All(p.Specs.Experiments, e => Assert.True(p.Shard.OwnsModel(e.Spec.Model))));
        Assert.Equal(specs.Experiments.Length, parts.Sum(p => p.Specs.Experiments.Length));
        Assert.All(parts, p => Assert.Equal(specs.Environments, p.Specs.Environments));
        Assert.All(parts, p => Assert.Equal(specs.Policies, p.Specs.Policies));
        Assert.Same(specs, Shard.Whole.Select(specs));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_Render_Between_Them_Exactly_What_One_Reconciler_Renders(int count)
    {
        // Given an environment with every object that belongs to no model or to the environment as a whole: the
        // default-deny network policy, alert rules and dashboards
        var specs = MonitoredRepository.Specs(rules: true, grafana: new GrafanaTarget(true, "ML"));
        specs = specs with
        {
            Environments = [.. specs.Environments.Select(e => e with { Spec = e.Spec with { NetworkPolicy = new NetworkPolicySettings { DefaultDeny = true } } })],
        };
        var whole = Renderer.Render(specs, "staging", Clusters.AllServed(specs), new RenderContext("abc1234"));

        // When each shard renders its part
        var parts = Enumerable.Range(1, count).Select(k => new Shard(k, count)).Select(shard =>
            (Shard: shard, Render: Renderer.Render(shard.Select(specs), "staging", Clusters.AllServed(specs), new RenderContext("abc1234") { Shard = shard })))
            .ToList();

        // Then the parts are disjoint and together are the whole, object for object
        Assert.False(whole.HasErrors);
        var union = parts.SelectMany(p => p.Render.Objects).ToList();
        Assert.Equal(whole.Objects.Length, union.Count);
        Assert.Equal(whole.Objects.Select(o => o.ToJsonString()).Order(StringComparer.Ordinal),
            union.Select(o => o.ToJsonString()).Order(StringComparer.Ordinal));
        // And each object is its owner's: shard 1 alone has the objects of no model
        Assert.All(parts, p => Assert.All(p.Render.Objects, o => Assert.True(p.Shard.OwnsObject(ObjectKeys.Label(o, ManagedLabels.Model)))));
        Assert.Contains(whole.Objects, o => ObjectKeys.Of(o).Name == NetworkPolicies.DefaultDenyName);
        Assert.Contains(parts[0].Render.Objects, o => ObjectKeys.Of(o).Name == NetworkPolicies.DefaultDenyName);
    }
}
