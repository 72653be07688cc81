using System.Text;
using GitOps.Specs.Contracts;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class TrainingProfileTests
{
    private static double[] Uniform(int n, double from, double to, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => from + random.NextDouble() * (to - from))];
    }

    public sealed class TheOfMethod
    {
        [Fact]
        public void Should_Bin_A_Continuous_Feature_By_Deciles_With_Its_Range_And_Null_Rate()
        {
            // Given 1,000 values and 10 NaN
            double[] values = [.. Uniform(1000, 0, 100, 1), .. Enumerable.Repeat(double.NaN, 10)];

            // When
            var profile = FeatureProfile.Of("amount", values);

            // Then
            Assert.Equal(FeatureProfile.Continuous, profile.Kind);
            Assert.Equal(9, profile.Edges.Length);
            Assert.All(profile.Proportions, p => Assert.InRange(p, 0.09, 0.11));
            Assert.Equal(101, profile.Quantiles.Length);
            Assert.Equal(10 / 1010.0, profile.NullRate, 6);
            Assert.True(profile.Min >= 0 && profile.Max <= 100);
        }

        [Fact]
        public void Should_Bin_Value_By_Value_When_A_Feature_Has_Few_Distinct_Values()
        {
            // Given a 0/1 flag, 30% ones
            var values = Enumerable.Range(0, 1000).Select(i => i % 10 < 3 ? 1.0 : 0.0).ToArray();

            // When
            var profile = FeatureProfile.Of("is_foreign", values);

            // Then
            Assert.Equal(FeatureProfile.Discrete, profile.Kind);
            Assert.Equal([0.5], profile.Edges.ToArray());
            Assert.Equal([0.7, 0.3], profile.Proportions.ToArray());
            Assert.Empty(profile.Quantiles);
        }
    }

    public sealed class TheDriftStatistics
    {
        private static readonly FeatureProfile Reference = FeatureProfile.Of("amount", Uniform(5000, 0, 100, 2));

        [Fact]
        public void Should_Be_Near_Zero_When_The_Window_Comes_From_The_Same_Distribution()
        {
            // Given
            var window = Uniform(2000, 0, 100, 3);

            // When / Then
            Assert.InRange(DriftStatistics.Psi(Reference, window), 0, 0.02);
            Assert.InRange(DriftStatistics.Ks(Reference, window), 0, 0.05);
        }

        [Fact]
        public void Should_Be_Large_When_The_Window_Is_Shifted()
        {
            // Given values shifted by half the range
            var window = Uniform(2000, 50, 150, 4);

            // When / Then
            Assert.True(DriftStatistics.Psi(Reference, window) > 1);
            Assert.InRange(DriftStatistics.Ks(Reference, window), 0.45, 0.55);
        }

        [Fact]
        public void Should_Ignore_Missing_Values_And_Give_No_Number_When_Nothing_Is_Left()
        {
            // When / Then
            Assert.True(double.IsNaN(DriftStatistics.Psi(Reference, [double.NaN, double.NaN])));
            Assert.True(double.IsNaN(DriftStatistics.Ks(Reference, [])));
        }

        [Fact]
        public void Should_Not_Inflate_Ks_When_A_Feature_Repeats_Values()
        {
            // Given counts 0..20 with many ties, and a window from the same counts
            var random = new Random(5);
            var counts = Enumerable.Range(0, 5000).Select(_ => (double)random.Next(0, 21)).ToArray();
            var reference = FeatureProfile.Of("txn_count_24h", counts);
            var window = Enumerable.Range(0, 2000).Select(_ => (double)random.Next(0, 21)).ToArray();

            // When / Then
            Assert.InRange(DriftStatistics.Ks(reference, window), 0, 0.05);
        }
    }

    public sealed class TheParseMethod
    {
        [Fact]
        public void Should_Read_Back_What_Serialize_Wrote()
        {
            // Given
            var profile = new TrainingProfile(TrainingProfile.CurrentSchema, 1000, [FeatureProfile.Of("amount", Uniform(1000, 0, 1, 6))], FeatureProfile.Of("Probability", Uniform(1000, 0, 1, 7)));

            // When
            var (read, error) = TrainingProfile.Parse(Encoding.UTF8.GetBytes(profile.Serialize()));

            // Then
            Assert.Null(error);
            Assert.Equal(profile.Features[0].Edges.ToArray(), read!.Features[0].Edges.ToArray());
            Assert.Equal(profile.Score!.Proportions.ToArray(), read.Score!.Proportions.ToArray());
        }

        [Theory]
        [InlineData("{", "not valid JSON")]
        [InlineData("""{"schema":2,"rows":1,"features":[]}""", "schema is 2, but this version reads schema 1")]
        [InlineData("""{"schema":1,"rows":1,"features":[]}""", "'features' is missing or empty")]
        [InlineData("""{"schema":1,"rows":1,"features":[{"name":"a","kind":"continuous","min":0,"max":1,"nullRate":0,"edges":[0.5],"proportions":[1],"quantiles":[]}]}""", "feature 'a': 'proportions' must have one entry more than 'edges'")]
        [InlineData("""{"schema":1,"rows":1,"features":[{"name":"a","kind":"continuous","min":0,"max":1,"nullRate":0,"edges":[0.5,0.4],"proportions":[0.5,0.25,0.25],"quantiles":[]}]}""", "feature 'a': 'edges' must increase strictly")]
        [InlineData("""{"schema":1,"rows":1,"features":[{"name":"a","kind":"continuous","min":0,"max":1,"nullRate":0,"edges":[0.5],"proportions":[0.5,0.6],"quantiles":[]}]}""", "add up to 1")]
        [InlineData("""{"schema":1,"rows":1,"features":[{"name":"a","kind":"text","min":0,"max":1,"nullRate":0,"edges":[],"proportions":[1],"quantiles":[]}]}""", "'kind' is 'text'")]
        public void Should_Say_What_Is_Wrong_When_The_Profile_Is_Not_Usable(string json, string expected)
        {
            // When
            var (profile, error) = TrainingProfile.Parse(Encoding.UTF8.GetBytes(json));

            // Then
            Assert.Null(profile);
            Assert.Contains(expected, error);
        }
    }
}
