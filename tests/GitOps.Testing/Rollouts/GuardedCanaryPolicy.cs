namespace GitOps.Testing.Rollouts;

/// <summary>The rollout policy of the end-to-end rollout tests and the rollout benchmark.</summary>
public static class GuardedCanaryPolicy
{
    /// <summary>A canary at half the pods, judged every 2 s over the last 10 s by its error rate and by how far its
    /// median score is from the stable version's, <paramref name="count"/> times each; one failure fails a metric and
    /// two query errors in a row end the analysis. A <paramref name="limit"/> above 0 opens every limit so that a run
    /// records measurements instead of deciding.</summary>
    public static string Yaml(string name, int count = 6, int limit = 0) => $$$"""
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: {{{name}}}
        spec:
          strategy: canary
          progressDeadline: 2m
          steps:
            - setWeight: 50
            - analysis: {templates: [error-rate, score-drift]}
            - setWeight: 100
          analysis:
            - name: error-rate
              query: >-
                (sum(rate(gitops_inference_requests_total{model="{{model}}",version="{{version}}",track="{{track}}",code=~"5.."}[10s])) or vector(0))
                / sum(rate(gitops_inference_requests_total{model="{{model}}",version="{{version}}",track="{{track}}"}[10s]))
              successCondition: result < 0.05
              failureCondition: result >= 0.2
              interval: 2s
              count: {{{count}}}
              failureLimit: {{{limit}}}
              inconclusiveLimit: {{{Math.Max(limit, 6)}}}
              errorLimit: {{{Math.Max(limit, 1)}}}
            - name: score-drift
              query: >-
                abs(
                  histogram_quantile(0.5, sum by (le) (rate(gitops_inference_score_bucket{model="{{model}}",version="{{version}}",track="canary"}[10s])))
                  - histogram_quantile(0.5, sum by (le) (rate(gitops_inference_score_bucket{model="{{model}}",track="stable"}[10s])))
                )
              successCondition: result < 0.1
              interval: 2s
              count: {{{count}}}
              failureLimit: {{{limit}}}
              inconclusiveLimit: {{{Math.Max(limit, 6)}}}
              errorLimit: {{{Math.Max(limit, 1)}}}

        """;
}
