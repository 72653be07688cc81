using Xunit;

namespace GitOps.Specs.Tests;

public sealed class PlainNumbersTests
{
    public sealed class TheFormatMethod
    {
        [Theory]
        [InlineData(1e-6, "0.000001")]
        [InlineData(1e-12, "0.000000000001")]
        [InlineData(1e6, "1000000")]
        [InlineData(131_072, "131072")]
        [InlineData(0.1, "0.1")]
        [InlineData(-2.5, "-2.5")]
        [InlineData(0, "0")]
        [InlineData(1e300, "1E+300")]
        public void Should_Write_A_Number_As_A_Person_Writes_It_When_It_Is_Within_Fifteen_Digits(double value, string expected)
        {
            // Given a bound or value of a message
            // When
            var text = PlainNumbers.Format(value);

            // Then
            Assert.Equal(expected, text);
        }
    }
}
