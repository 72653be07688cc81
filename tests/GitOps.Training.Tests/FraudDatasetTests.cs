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

    public sealed class TheShiftOption
    {
        private static string[][] Rows(int seed, params DatasetShift[] shifts)
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            FraudDataset.Write(writer, 300, seed, shifts);
            return [.. writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))];
        }

        [Fact]
        public void Should_Move_Only_The_Shifted_Feature_And_Keep_The_Labels_When_A_Shift_Is_Given()
        {
            // Given
            var plain = Rows(9);

            // When
            var shifted = Rows(9, new DatasetShift("amount", 10, 0), new DatasetShift("hour", 1, 3));

            // Then amount is ten times larger, hour 3 later, every other column and the label unchanged
            Assert.Equal(plain.Length, shifted.Length);
            for (var r = 0; r < plain.Length; r++)
            {
                Assert.Equal(double.Parse(plain[r][0], CultureInfo.InvariantCulture) * 10, double.Parse(shifted[r][0], CultureInfo.InvariantCulture), 6);
                Assert.Equal(int.Parse(plain[r][1], CultureInfo.InvariantCulture) + 3, int.Parse(shifted[r][1], CultureInfo.InvariantCulture));
                Assert.Equal(plain[r][2..], shifted[r][2..]);
            }
        }

        [Fact]
        public void Should_Write_The_Same_Bytes_As_Without_A_Shift_When_The_Shift_List_Is_Empty()
        {
            // Given
            using var plain = new StringWriter(CultureInfo.InvariantCulture);
            using var empty = new StringWriter(CultureInfo.InvariantCulture);

            // When
            FraudDataset.Write(plain, 200, 42);
            FraudDataset.Write(empty, 200, 42, []);

            // Then
            Assert.Equal(plain.ToString(), empty.ToString());
        }

        [Theory]
        [InlineData("amount*10", "amount", 10, 0)]
        [InlineData("hour+3", "hour", 1, 3)]
        [InlineData("distance_km-5", "distance_km", 1, -5)]
        [InlineData("amount*1.5+20", "amount", 1.5, 20)]
        public void Should_Parse_A_Factor_An_Offset_Or_Both(string text, string feature, double factor, double offset)
        {
            // Given / When
            var shift = DatasetShift.Parse(text, FraudDataset.Features, out var error);

            // Then
            Assert.Null(error);
            Assert.Equal(new DatasetShift(feature, factor, offset), shift);
        }

        [Theory]
        [InlineData("amount", "names a feature but no change")]
        [InlineData("amount=10", "is not a shift")]
        [InlineData("amout*10", "'amout' is not a feature of this dataset; its features are amount, hour")]
        public void Should_Say_What_Is_Wrong_When_A_Shift_Cannot_Be_Read(string text, string expected)
        {
            // Given / When
            var shift = DatasetShift.Parse(text, FraudDataset.Features, out var error);

            // Then
            Assert.Null(shift);
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }
}
