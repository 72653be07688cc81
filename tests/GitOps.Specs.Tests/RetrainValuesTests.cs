using Xunit;

namespace GitOps.Specs.Tests;

public sealed class RetrainValuesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 3, 4, 5, TimeSpan.Zero);

    public sealed class TheDatasetTemplates
    {
        [Theory]
        [InlineData("s3://data/fraud/{date}.csv", "s3://data/fraud/2026-11-30.csv")]
        [InlineData("https://data/{date:yyyy/MM/dd}/fraud.csv", "https://data/2026/11/30/fraud.csv")]
        [InlineData("file:///data/fraud-{date:yyyyMMdd_HHmm}.csv", "file:///data/fraud-20261130_0304.csv")]
        [InlineData("s3://data/fraud/latest.csv", "s3://data/fraud/latest.csv")]
        public void Should_Fill_The_Date_In_Utc(string template, string expected)
        {
            // When
            var resolved = DatasetTemplates.Resolve(template, At.ToOffset(TimeSpan.FromHours(-8)));

            // Then
            Assert.Null(DatasetTemplates.Check(template));
            Assert.Equal(expected, resolved);
        }

        [Theory]
        [InlineData("s3://data/{day}.csv", "unknown placeholder '{day}'")]
        [InlineData("s3://data/{date:yyyy-MM-dd.csv", "is never closed")]
        [InlineData("s3://data/date}.csv", "closes no placeholder")]
        [InlineData("s3://data/{date:dddd}.csv", "")]
        [InlineData("s3://data/{date:yyyy MM}.csv", "may only use")]
        [InlineData("s3://data/{date:}.csv", "may only use")]
        [InlineData("s3://data/{date:--}.csv", "may only use")]
        public void Should_Refuse_What_It_Cannot_Resolve(string template, string problem)
        {
            // When
            var check = DatasetTemplates.Check(template);

            // Then
            if (problem.Length == 0)
            {
                Assert.Null(check);
                return;
            }
            Assert.NotNull(check);
            Assert.Contains(problem, check);
            Assert.Throws<FormatException>(() => DatasetTemplates.Resolve(template, At));
        }
    }

    public sealed class TheRetrainSchedules
    {
        [Theory]
        [InlineData("7d", "every 7d", "2026-12-07T03:04:05Z")]
        [InlineData("1h30m", "every 1h30m", "2026-11-30T04:34:05Z")]
        [InlineData("0 3 * * 1", "cron '0 3 * * 1' (UTC)", "2026-12-07T03:00:00Z")]
        [InlineData("*/15 * * * *", "cron '*/15 * * * *' (UTC)", "2026-11-30T03:15:00Z")]
        [InlineData("@daily", "cron '@daily' (UTC)", "2026-12-01T00:00:00Z")]
        public void Should_Read_Durations_And_Cron_Expressions(string text, string described, string next)
        {
            // When
            var ok = RetrainSchedules.TryParse(text, out var schedule);

            // Then
            Assert.True(ok);
            Assert.Equal(described, schedule.ToString());
            Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), schedule.NextAfter(At));
        }

        [Theory]
        [InlineData("")]
        [InlineData("0")]
        [InlineData("weekly")]
        [InlineData("61 3 * * 1")]
        [InlineData("0 3 * *")]
        [InlineData("0 0 3 * * 1")]
        public void Should_Refuse_Anything_Else(string text)
        {
            // When / Then
            Assert.False(RetrainSchedules.TryParse(text, out _));
        }
    }
}
