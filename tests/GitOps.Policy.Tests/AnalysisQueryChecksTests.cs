using GitOps.Policy.Analysis;
using GitOps.Specs.Model;
using static GitOps.Policy.Tests.TestSpecs;

namespace GitOps.Policy.Tests;

public sealed class AnalysisQueryChecksTests
{
    private static List<string> Check(string query) =>
    [
        .. AnalysisQueryChecks.Check(Set(Rollout("canary", RolloutStrategies.Canary, [new RolloutStep { SetWeight = 100 }], Template("q", query))))
            .Select(d => $"{d.Id}: {d.Message}"),
    ];

    public sealed class TheCheckMethod
    {
        [Theory]
        [InlineData("sum(rate(m{track=\"{{track}}\"}[1m]))")]
        [InlineData("sum(rate(m{track=\"{{ track }}\",path=~\"/v2/(a|b)\\\\)\"}[1m]))")]
        [InlineData("sum(rate(m{version='{{version}}',q=\"}{\"}[1m])) # comment with ( unbalanced\n")]
        [InlineData("histogram_quantile(0.99, sum by (le) (rate(m_bucket{model=\"{{model}}\",track=\"{{track}}\",namespace=\"{{namespace}}\",env=\"{{environment}}\"}[5m])))")]
        public void Should_Accept_Well_Formed_Queries(string query)
        {
            // When
            var findings = Check(query);

            // Then
            Assert.Empty(findings);
        }

        [Theory]
        [InlineData("sum(rate(m{track=\"{{track}}\"}[1m])", "GITOPS0305: query of analysis 'q' of RolloutPolicy 'canary': '(' at column 4 is never closed with ')'")]
        [InlineData("sum(rate(m{track=\"{{track}}\"}[1m])))", "GITOPS0305: query of analysis 'q' of RolloutPolicy 'canary': ')' at column 36 has no matching '('")]
        [InlineData("sum(rate(m{track=\"{{track}}}[1m]))", "GITOPS0305: query of analysis 'q' of RolloutPolicy 'canary': the string starting at column 18 is never closed")]
        [InlineData("sum(m{track=\"{{track}}\"}[1m)]", "GITOPS0305: query of analysis 'q' of RolloutPolicy 'canary': ')' at column 28 does not close '[' from column 25")]
        [InlineData("sum(m{track=\"{{trakc}}\"})", "GITOPS0304: query of analysis 'q' of RolloutPolicy 'canary' uses unknown placeholder '{{trakc}}'; known placeholders are {{model}} {{version}} {{namespace}} {{track}} {{environment}}")]
        public void Should_Report_Malformed_Queries(string query, string expected)
        {
            // When
            var findings = Check(query);

            // Then
            Assert.Contains(expected, findings);
        }
    }

    public sealed class TheCheckMethodOnKpis
    {
        private static List<string> CheckKpi(string query) =>
        [
            .. AnalysisQueryChecks.Check(Set(Model("fraud", b => b with
            {
                Monitoring = new MonitoringSpec { Kpis = [new BusinessKpi("approval-rate", query, null, null)] },
            }))).Select(d => $"{d.Id}: {d.Message}"),
        ];

        [Fact]
        public void Should_Accept_A_Kpi_Over_The_Model_Namespace_And_Environment_Without_A_Track()
        {
            // When
            var findings = CheckKpi("sum(rate(approved_total{namespace=\"{{namespace}}\",model=\"{{model}}\",env=\"{{environment}}\"}[5m]))");

            // Then no finding, not even the canary-scope warning of analysis queries
            Assert.Empty(findings);
        }

        [Fact]
        public void Should_Refuse_A_Track_Placeholder_When_A_Kpi_Query_Uses_One()
        {
            // When
            var findings = CheckKpi("sum(rate(approved_total{track=\"{{track}}\"}[5m]))");

            // Then alerts watch the model as a whole: there is no track to fill in
            Assert.Equal(["GITOPS0304: query of KPI 'approval-rate' of Model 'fraud' uses unknown placeholder '{{track}}'; known placeholders are {{model}} {{namespace}} {{environment}}"], findings);
        }

        [Fact]
        public void Should_Report_An_Unbalanced_Kpi_Query()
        {
            // When
            var findings = CheckKpi("sum(rate(approved_total[5m])");

            // Then
            Assert.Equal(["GITOPS0305: query of KPI 'approval-rate' of Model 'fraud': '(' at column 4 is never closed with ')'"], findings);
        }
    }
}
