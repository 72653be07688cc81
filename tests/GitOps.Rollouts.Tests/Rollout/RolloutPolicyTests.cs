using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Rollouts.Tests.Rollout;

public sealed class RolloutPolicyTests
{
    private const string Policy = """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: canary-kpi
        spec:
          strategy: canary
          steps:
            - setWeight: 20
            - analysis: {templates: [approval, errors]}
          analysis:
            - name: approval
              kpi: approval-rate
              successCondition: result >= 0.5
            - name: errors
              query: sum(rate(errors_total{model="{{model}}",track="{{track}}"}[1m]))
              successCondition: result < 0.05
        """;

    private static string Model(string name, string kpiQuery) => $$"""
        apiVersion: ml.gitops/v1alpha1
        kind: Model
        metadata:
          name: {{name}}
        spec:
          owner: payments
          task: binaryClassification
          inputs:
            - {name: amount, type: float32, shape: [-1, 1]}
          label: is_fraud
          training:
            builtin: {algorithm: fastTree}
            dataset:
              uri: https://data/fraud.csv
              sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          rollout: canary-kpi
          monitoring:
            kpis:
              - name: approval-rate
                query: '{{kpiQuery}}'
        """;

    private static SpecSet Load(params (string Path, string Text)[] files)
    {
        var result = SpecLoader.Load([.. files.Select(f => SourceFile.FromText(f.Path, f.Text))]);
        Assert.Empty(result.Diagnostics);
        return result.Specs;
    }

    public sealed class TheFromMethod
    {
        [Fact]
        public void Should_Measure_Each_Models_Own_Kpi_Query_When_A_Template_Names_A_Kpi()
        {
            // Given one policy used by two models whose approval-rate KPIs read different series
            var specs = Load(("policies/canary-kpi.yaml", Policy),
                ("models/fraud/model.yaml", Model("fraud", "sum(rate(payments_approved_total{namespace=\"{{namespace}}\"}[5m]))")),
                ("models/churn/model.yaml", Model("churn", "avg(retention_ratio{model=\"{{model}}\"})")));
            var spec = specs.RolloutPolicy("canary-kpi")!;

            // When
            var fraud = RolloutPolicy.From(spec, specs.Model("fraud"));
            var churn = RolloutPolicy.From(spec, specs.Model("churn"));

            // Then the KPI's query is measured, filled with the measurement's values like any query
            Assert.Equal("sum(rate(payments_approved_total{namespace=\"{{namespace}}\"}[5m]))", fraud.Metrics["approval"].Query);
            Assert.Equal("approval-rate", fraud.Metrics["approval"].Kpi);
            Assert.Equal("avg(retention_ratio{model=\"{{model}}\"})", churn.Metrics["approval"].Query);
            Assert.Equal(fraud.Metrics["errors"], churn.Metrics["errors"]);
            var values = new QueryValues("churn", "v2", "ml-prod", "canary", "prod");
            Assert.Equal(("avg(retention_ratio{model=\"churn\"})", (string?)null), QueryTemplate.Render(churn.Metrics["approval"].Query, values));
        }

        [Fact]
        public void Should_Leave_No_Query_To_Measure_When_The_Model_Lacks_The_Kpi()
        {
            // Given (validation refuses this as GITOPS0233; the analysis must still not measure something else)
            var specs = Load(("policies/canary-kpi.yaml", Policy));

            // When
            var policy = RolloutPolicy.From(specs.RolloutPolicy("canary-kpi")!);

            // Then every measurement of it is an error, never a pass
            Assert.Equal("", policy.Metrics["approval"].Query);
            Assert.Equal((null, "the query is empty"), QueryTemplate.Render(policy.Metrics["approval"].Query, new QueryValues("m", "v", "n", "t", "e")));
        }
    }
}
