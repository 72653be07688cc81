using System.Globalization;
using System.Text;
using GitOps.Specs;

namespace GitOps.Testing.Generators;

/// <summary>
/// Generates a realistic GitOps repository of any size: <c>environments</c> (dev, staging, prod, …), quality gates,
/// rollout policies, organisation policies and <c>models</c> models served in every environment. Deterministic:
/// the same arguments give byte-identical files. Used by benchmarks and scale tests.
/// </summary>
public static class SyntheticRepository
{
    public static readonly string[] EnvironmentNames = ["dev", "staging", "prod", "qa", "canary-eu", "canary-us"];

    public static IReadOnlyList<SourceFile> Generate(int models, int environments = 3, int changedModel = -1)
    {
        if (environments is < 1 or > 6)
        {
            throw new ArgumentOutOfRangeException(nameof(environments), "between 1 and 6 environments");
        }
        var files = new List<SourceFile>();
        var envs = EnvironmentNames.Take(environments).ToArray();
        for (var i = 0; i < envs.Length; i++)
        {
            files.Add(File($"environments/{envs[i]}/environment.yaml", Environment(envs[i], i == 0 ? null : envs[i - 1])));
        }
        files.Add(File("policies/gates/quality.yaml", Gates));
        files.Add(File("policies/rollouts/canary.yaml", Rollouts));
        files.Add(File("policies/org/guardrails.yaml", OrgPolicy));
        for (var m = 0; m < models; m++)
        {
            files.Add(File($"models/model-{m:D5}/model.yaml", Model(m, envs, m == changedModel)));
        }
        return files;
    }

    /// <summary>Writes the generated repository under <paramref name="root"/> (created if missing).</summary>
    public static void WriteTo(string root, int models, int environments = 3, int changedModel = -1)
    {
        foreach (var f in Generate(models, environments, changedModel))
        {
            var path = Path.Combine(root, f.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllBytes(path, f.Content);
        }
    }

    private static SourceFile File(string path, string text) => new(path, Encoding.UTF8.GetBytes(text));

    private static string Environment(string name, string? promotedFrom) => $$"""
        apiVersion: ml.gitops/v1alpha1
        kind: Environment
        metadata:
          name: {{name}}
        spec:
          cluster:
            kubernetes:
              context: {{name}}-cluster
          namespace: ml-{{name}}
          router: gatewayApi
          gateway:
            name: public
            namespace: gateways
          prometheus:
            url: http://prometheus.monitoring:9090
          gpuPools:
            - name: a100
              nodeSelector:
                node.kubernetes.io/instance-type: a2-highgpu-1g
              tolerations:
                - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
              pricePerGpuHour: 2.93
              quota: 8
            - name: t4
              pricePerGpuHour: 0.35
              quota: 4
        {{(promotedFrom is null ? "" : $"  promotion:\n    from: {promotedFrom}\n    soak: 1h\n")}}  policies: [guardrails]

        """;

    private const string Gates = """
        apiVersion: ml.gitops/v1alpha1
        kind: QualityGate
        metadata:
          name: standard-quality
        spec:
          rules:
            - name: auc-not-worse
              condition: metrics.auc >= champion.metrics.auc - 0.005
              message: AUC dropped by more than 0.005 against the champion
            - name: auc-floor
              condition: metrics.auc >= 0.7
          onNoChampion: pass

        """;

    private const string Rollouts = """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: canary
        spec:
          strategy: canary
          steps:
            - setWeight: 10
            - analysis: {templates: [error-rate]}
            - setWeight: 50
            - pause: {duration: 5m}
            - setWeight: 100
          analysis:
            - name: error-rate
              query: sum(rate(gitops_inference_requests_total{model="{{model}}",version="{{version}}",code=~"5.."}[1m])) / sum(rate(gitops_inference_requests_total{model="{{model}}",version="{{version}}"}[1m]))
              successCondition: result < 0.01
              failureCondition: result >= 0.05
              interval: 1m
              count: 5
              minSamples: 50
          onInconclusive: pause

        """;

    private const string OrgPolicy = """
        apiVersion: ml.gitops/v1alpha1
        kind: Policy
        metadata:
          name: guardrails
        spec:
          match:
            kinds: [Model]
          rules:
            - name: owner-set
              expression: has(object.spec.owner) && object.spec.owner != ""
              message: every model needs an owner
            - name: gpu-limit
              expression: "!has(object.spec.training.resources) || !has(object.spec.training.resources.gpus) || object.spec.training.resources.gpus <= 4"
              message: training may use at most 4 GPUs
              severity: warning

        """;

    private static string Model(int m, string[] envs, bool changed)
    {
        var gpu = m % 10 == 0;
        var trees = (50 + (m % 7) * 10 + (changed ? 1 : 0)).ToString(CultureInfo.InvariantCulture);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(m)));
        var resources = gpu ? "      gpus: 1\n      pool: t4\n" : "";
        return $$"""
            apiVersion: ml.gitops/v1alpha1
            kind: Model
            metadata:
              name: model-{{m:D5}}
            spec:
              owner: team-{{m % 13}}
              task: binaryClassification
              inputs:
                - {name: amount, type: float32, shape: [-1, 1]}
                - {name: hour, type: float32, shape: [-1, 1]}
                - {name: merchant_risk, type: float32, shape: [-1, 1]}
              label: is_fraud
              training:
                builtin:
                  algorithm: fastTree
                  seed: {{m}}
                dataset:
                  uri: https://data.example.com/model-{{m:D5}}/train.csv
                  sha256: {{sha}}
                hyperparameters:
                  numberOfTrees: {{trees}}
                  learningRate: 0.1
                resources:
                  cpu: 2
                  memory: 4Gi
            {{resources}}    timeout: 1h
                retries: 1
              gates: [standard-quality]
              serving:
                replicas: 2
                resources:
                  cpu: 500m
                  memory: 512Mi
              rollout: canary
              environments: [{{string.Join(", ", envs)}}]

            """;
    }
}
