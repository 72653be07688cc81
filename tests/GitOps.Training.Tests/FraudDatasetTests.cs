using System.Globalization;
using GitOps.Training.Datasets;

namespace GitOps.Training.Tests;

public sealed class FraudDatasetTests
{
    public sealed class TheWriteMethod
    {
        private static string Generate(int rows, int seed)
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            FraudDataset.Write(writer, rows, seed);
            return writer.ToString();
        }

        [Fact]
        public void Should_Write_Identical_Bytes_For_The_Same_Seed()
        {
            // Given // When
            var first = Generate(500, 42);
            var second = Generate(500, 42);

            // Then
            Assert.Equal(first, second);
        }

        [Fact]
        public void Should_Write_Different_Rows_For_Another_Seed()
        {
            // Given // When
            var first = Generate(200, 1);
            var second = Generate(200, 2);

            // Then
            Assert.NotEqual(first, second);
        }

        [Fact]
        public void Should_Write_Header_Features_And_Label_With_A_Plausible_Fraud_Rate()
        {
            // Given // When
            var lines = Generate(5000, 42).Split('\n', StringSplitOptions.RemoveEmptyEntries);

            // Then
            Assert.Equal(string.Join(',', FraudDataset.Features) + "," + FraudDataset.Label, lines[0]);
            Assert.Equal(5001, lines.Length);
            Assert.All(lines.Skip(1), l => Assert.Equal(FraudDataset.Features.Count + 1, l.Split(',').Length));
            var frauds = lines.Skip(1).Count(l => l.EndsWith(",1", StringComparison.Ordinal));
            var rate = frauds / 5000.0;
            Assert.InRange(rate, 0.01, 0.2);
        }
    }
}
