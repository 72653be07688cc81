using Xunit;

namespace GitOps.Specs.Tests;

public sealed class DurationsTests
{
    public sealed class TheTryParseMethod
    {
        [Theory]
        [InlineData("500ms", 500)]
        [InlineData("30s", 30_000)]
        [InlineData("5m", 300_000)]
        [InlineData("1h30m", 5_400_000)]
        [InlineData("1.5h", 5_400_000)]
        [InlineData("2d", 172_800_000)]
        [InlineData("1m30s500ms", 90_500)]
        [InlineData("0", 0)]
        [InlineData("0s", 0)]
        public void Should_Parse_Go_Style_Durations(string text, long milliseconds)
        {
            // Given
            var input = text;

            // When
            var ok = Durations.TryParse(input, out var duration);

            // Then
            Assert.True(ok);
            Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
        }

        [Theory]
        [InlineData("")]
        [InlineData("5")]
        [InlineData("5 m")]
        [InlineData("-5m")]
        [InlineData("5min")]
        [InlineData("1us")]
        [InlineData("h")]
        [InlineData("1.2.3s")]
        [InlineData("PT5M")]
        [InlineData("99999d")]
        [InlineData("5m ")]
        public void Should_Reject_Anything_Else(string text)
        {
            // Given
            var input = text;

            // When
            var ok = Durations.TryParse(input, out _);

            // Then
            Assert.False(ok);
        }
    }

    public sealed class TheFormatMethod
    {
        [Theory]
        [InlineData(0, "0")]
        [InlineData(1_500, "1s500ms")]
        [InlineData(30_000, "30s")]
        [InlineData(5_400_000, "1h30m")]
        [InlineData(90_061_001, "1d1h1m1s1ms")]
        public void Should_Write_What_TryParse_Reads_Back_When_Given_Whole_Milliseconds(long milliseconds, string expected)
        {
            // Given
            var duration = TimeSpan.FromMilliseconds(milliseconds);

            // When
            var text = Durations.Format(duration);

            // Then
            Assert.Equal(expected, text);
            Assert.True(Durations.TryParse(text, out var back));
            Assert.Equal(duration, back);
        }
    }
}

public sealed class QuantitiesTests
{
    public sealed class TheTryParseMethod
    {
        [Theory]
        [InlineData("500m", "0.5")]
        [InlineData("2", "2")]
        [InlineData("1.5", "1.5")]
        [InlineData("2Gi", "2147483648")]
        [InlineData("512Mi", "536870912")]
        [InlineData("1Ki", "1024")]
        [InlineData("1e3", "1000")]
        [InlineData("1E-2", "0.01")]
        [InlineData("100k", "100000")]
        [InlineData("1M", "1000000")]
        [InlineData("250u", "0.00025")]
        [InlineData("+3", "3")]
        [InlineData("-1", "-1")]
        [InlineData(".5", "0.5")]
        public void Should_Parse_Kubernetes_Quantities(string text, string expected)
        {
            // Given
            var input = text;

            // When
            var ok = Quantities.TryParseValue(input, out var value);

            // Then
            Assert.True(ok);
            Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        }

        [Theory]
        [InlineData("")]
        [InlineData("2 cores")]
        [InlineData("4GB")]
        [InlineData("1.2.3")]
        [InlineData("Gi")]
        [InlineData("2gi")]
        [InlineData("1e")]
        [InlineData("1e99")]
        [InlineData("m")]
        public void Should_Reject_Anything_Else(string text)
        {
            // Given
            var input = text;

            // When
            var ok = Quantities.TryParseValue(input, out _);

            // Then
            Assert.False(ok);
        }

        [Theory]
        [InlineData("1000m", "1")]
        [InlineData("0.5", "500m")]
        [InlineData("1024Mi", "1Gi")]
        [InlineData("2Gi", "2Gi")]
        [InlineData("1e3", "1e3")]
        [InlineData("1500", "1500")]
        public void Should_Return_The_Canonical_Form_The_Api_Server_Stores(string text, string canonical)
        {
            // Given a quantity as a person writes it
            var input = text;

            // When
            var ok = Quantities.TryParse(input, out k8s.Models.ResourceQuantity quantity);

            // Then
            Assert.True(ok);
            Assert.Equal(canonical, quantity.ToString());
        }
    }
}
